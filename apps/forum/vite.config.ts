import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// In `vite dev` the browser talks to the dev server, so /api and /ws are proxied to the Fastify
// server (FORUM_API_ORIGIN, default http://127.0.0.1:3000). Production never uses this.
const apiOrigin = process.env.FORUM_API_ORIGIN ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: apiOrigin, changeOrigin: false },
      '/ws': { target: apiOrigin.replace(/^http/, 'ws'), ws: true },
    },
  },
});
