/** `@docstore/contract/client`: the metadata service's typed client and its error helpers, for CLIs and browsers. */
export * from './client-errors.ts';
export * from './metadata/client.ts';
