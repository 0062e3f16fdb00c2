import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import { appCodeOf, DocstoreError, type ErrorCode, toTRPCError } from './errors.ts';

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

/**
 * tRPC as every docstore router uses it: no stack traces on the wire, the app error code and zod's
 * flattened field errors in `error.data`, and domain errors mapped to their tRPC codes.
 */
export function initDocstoreTRPC<Context extends object>() {
  const t = initTRPC.context<Context>().create({
    isDev: false,
    errorFormatter({ shape, error }) {
      const appCode = appCodeOf(error);
      const zodError = appCode === 'INVALID_INPUT' ? findZodError(error.cause) : null;
      return {
        ...shape,
        data: { ...shape.data, appCode, zodError: zodError ? z.flattenError(zodError) : null },
      };
    },
  });
  const procedure = t.procedure.use(async ({ next }) => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof DocstoreError) throw toTRPCError(result.error.cause);
    return result;
  });
  // Every call's time and outcome for the server's metrics. Inside the mapping above, so a domain
  // error is still the cause here and appCodeOf names its code.
  const observed = procedure.use(async ({ ctx, path, type, next }) => {
    const started = performance.now();
    const result = await next();
    observerOf(ctx)?.({
      path,
      type,
      durationMs: performance.now() - started,
      errorCode: result.ok ? null : appCodeOf(result.error),
    });
    return result;
  });
  return { router: t.router, procedure: observed, middleware: t.middleware };
}
