export * from './blob/client.ts';
export * from './blob/router.ts';
export * from './blob/schemas.ts';
export * from './client-errors.ts';
export * from './errors.ts';
export * from './streaming-fetch.ts';
export * from './trpc.ts';
