import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { appCodeOf, DocstoreError, type ErrorCode, toTRPCError } from './errors.ts';
import { isLiveFeed, type LiveFeed, liveFeed } from './live-feed.ts';

/** One finished procedure call, as a server's metrics see it. */
export interface ProcedureCall {
  /** The procedure's path, e.g. `documents.list`. */
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** Until the result (a subscription: until its stream was set up). */
  durationMs: number;
  /** The app code it failed with, or null when it succeeded. */
  errorCode: ErrorCode | null;
}

/**
 * A hook a server may put in its context to see every call (metrics); the contract only calls it,
 * so no metrics library leaks into clients.
 */
export type ProcedureObserver = (call: ProcedureCall) => void;

/** The observer a server put in its context (`observeProcedure`), if any. */
function observerOf(ctx: unknown): ProcedureObserver | undefined {
  return (ctx as { observeProcedure?: ProcedureObserver } | undefined)?.observeProcedure;
}

/** The first ZodError in a cause chain: tRPC's input parsing or a domain check's. */
function findZodError(error: unknown): z.ZodError | null {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof z.ZodError) return cause;
  }
  return null;
}

/** The request id the server put in the request's headers (server-kit's `x-request-id`). */
function requestIdOf(ctx: unknown): string | undefined {
  const headers = (ctx as { headers?: unknown } | undefined)?.headers;
  return headers instanceof Headers ? (headers.get('x-request-id') ?? undefined) : undefined;
}

/**
 * A WebSocket connection's subscription budget, put in its context by the server: each running
 * subscription holds one slot until it ends, so one socket cannot open subscriptions without bound.
 */
export interface SubscriptionSlots {
  readonly limit: number;
  /** False when every slot is taken. */
  take(): boolean;
  release(): void;
}

function subscriptionSlotsOf(ctx: unknown): SubscriptionSlots | undefined {
  return (ctx as { subscriptionSlots?: SubscriptionSlots } | undefined)?.subscriptionSlots;
}

/** The subscription's feed, giving its slot back exactly once: when it ends, fails or is stopped. */
function releasingWhenDone<T>(feed: LiveFeed<T>, slots: SubscriptionSlots): LiveFeed<T> {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    slots.release();
  };
  return liveFeed((deliver, signal) => feed.listen(deliver, signal).finally(release));
}

/**
 * tRPC as every docstore router uses it: no stack traces on the wire, the app error code and zod's
 * flattened field errors in `error.data`, and domain errors mapped to their tRPC codes.
 */
export function initDocstoreTRPC<Context extends object>() {
  const t = initTRPC.context<Context>().create({
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const appCode = appCodeOf(error);
      const zodError = appCode === 'INVALID_INPUT' ? findZodError(error.cause) : null;
      const data = { ...shape.data, appCode, zodError: zodError ? z.flattenError(zodError) : null };
      if (appCode !== 'INTERNAL') return { ...shape, data };
      // An unexpected failure's message may hold SQL, values or paths: the client gets only the
      // request id, which the server's log line for this failure carries too.
      const requestId = requestIdOf(ctx);
      return {
        ...shape,
        message: requestId ? `internal error (request ${requestId})` : 'internal error',
        data: { ...data, requestId: requestId ?? null },
      };
    },
  });
  // One middleware for every call (each level of tRPC's chain copies the call's options and context
  // again): the subscription budget, the call's time and outcome for the server's metrics, and domain
  // errors mapped to their tRPC codes, in that order (so appCodeOf still sees the domain error).
  const procedure = t.procedure.use(async ({ next, type, ctx, path }) => {
    const slots = type === 'subscription' ? subscriptionSlotsOf(ctx) : undefined;
    if (slots && !slots.take()) {
      throw toTRPCError(
        new DocstoreError('INVALID_INPUT', `at most ${slots.limit} subscriptions per connection`),
      );
    }
    const started = performance.now();
    const result = await next();
    observerOf(ctx)?.({
      path,
      type,
      durationMs: performance.now() - started,
      errorCode: result.ok ? null : appCodeOf(result.error),
    });
    if (!result.ok && result.error.cause instanceof DocstoreError) {
      slots?.release();
      throw toTRPCError(result.error.cause);
    }
    if (!slots) return result;
    if (!result.ok) {
      slots.release();
      return result;
    }
    if (!isLiveFeed(result.data)) {
      slots.release();
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'a subscription must return a LiveFeed',
      });
    }
    return { ...result, data: releasingWhenDone(result.data, slots) };
  });
  return { router: t.router, procedure, middleware: t.middleware };
}
