/** `@docstore/contract/schemas`: the metadata API's zod schemas and their types, without any client or server code. */
export * from './metadata/schemas.ts';
