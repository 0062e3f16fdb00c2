import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import { appCodeOf, DocstoreError, toTRPCError } from './errors.ts';

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
  const procedure = t.procedure.use(async ({ next }) => {
    const result = await next();
    if (!result.ok && result.error.cause instanceof DocstoreError) throw toTRPCError(result.error.cause);
    return result;
  });
  return { router: t.router, procedure, middleware: t.middleware };
}
