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
  return { router: t.router, procedure, middleware: t.middleware };
}
