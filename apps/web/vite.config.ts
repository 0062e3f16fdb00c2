import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  // The workspace packages' sources (package.json exports condition), as everywhere in development.
  resolve: { conditions: ['@docstore/source', ...defaultClientConditions] },
  // Preact through Vite's own JSX transform: no plugin, nothing React-sized in the bundle.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      // The contract's modules only declare things. Without this, importing its typed client would
      // evaluate the server's router too (initTRPC refuses to run in a browser) and ship zod with it.
      treeshake: { moduleSideEffects: (id: string) => !id.includes('/packages/contract/src/') },
    },
  },
});
