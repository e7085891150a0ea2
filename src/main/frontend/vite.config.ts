import { defineConfig } from 'vitest/config';

// The Spring app serves dist/ at "/" (and may later serve it under a sub-path),
// so every asset URL must be relative.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // `npm run dev` against a locally running server.
    proxy: {
      '/dev': 'http://localhost:8005',
      '/ws': { target: 'ws://localhost:8005', ws: true },
    },
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
