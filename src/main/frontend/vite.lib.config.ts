import { defineConfig } from 'vite';

// The package build (npm run build:lib): one ESM file per entry point. The React and SSE
// entries import the core through the package name, so an app bundles one copy of it.
export default defineConfig({
  build: {
    outDir: 'lib',
    emptyOutDir: true,
    minify: true,
    sourcemap: true,
    lib: {
      entry: { index: 'src/core/index.ts', react: 'src/react/index.ts', sse: 'src/sse/index.ts', helpers: 'src/helpers/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^react($|\/)/, /^@tasksync\/client/],
    },
  },
});
