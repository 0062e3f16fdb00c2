#!/usr/bin/env node
// The installed `docstore` command: registers tsx so that Node runs the TypeScript sources directly.
import('tsx/esm/api').then(({ register }) => {
  register();
  return import('../src/main.ts');
});
