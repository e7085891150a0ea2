import { defineConfig } from 'vite';

// Served by the tasksync jar under /assets/sample/ (run.mjs adds site/ to its static locations;
// /assets/** is what the jar's security config lets through unauthenticated), so
// /dev/token, /ws and /sse are same-origin. Nothing here points into src/main/frontend: the
// package comes from node_modules, installed from the tarball.
export default defineConfig({
  base: '/assets/sample/',
  build: { outDir: 'site/assets/sample', emptyOutDir: true },
});
