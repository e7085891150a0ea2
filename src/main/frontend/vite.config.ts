import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

// The Spring app serves dist/ at "/" (and may later serve it under a sub-path),
// so every asset URL must be relative. The demo imports the package by its public
// entry points, resolved here to their sources (tsconfig.json "paths" says the same).
export default defineConfig({
  base: './',
  resolve: {
    alias: [
      { find: /^@tasksync\/client$/, replacement: src('core/index.ts') },
      { find: /^@tasksync\/client\/react$/, replacement: src('react/index.ts') },
      { find: /^@tasksync\/client\/sse$/, replacement: src('sse/index.ts') },
      { find: /^@tasksync\/client\/helpers$/, replacement: src('helpers/index.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // `npm run dev` against a locally running server.
    proxy: {
      '/dev': 'http://localhost:8005',
      '/sse': 'http://localhost:8005',
      '/ws': { target: 'ws://localhost:8005', ws: true },
    },
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
