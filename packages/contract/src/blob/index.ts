/** `@docstore/contract/blob`: the blob service's schemas, router type and client (the metadata service's side). */
export * from './client.ts';
export * from './router.ts';
export * from './schemas.ts';
