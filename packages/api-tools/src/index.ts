export * from './api-check.ts';
export * from './example-value.ts';
export * from './paths.ts';
export * from './render-docs.ts';
export * from './snapshot.ts';
export * from './snapshot-diff.ts';
export * from './wire-format.ts';
