import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// In `vite dev` the browser talks to the dev server, so /api and /ws are proxied to the console's
// Fastify server (MODERATION_API_ORIGIN, default http://127.0.0.1:3001). Production never uses this.
const apiOrigin = process.env.MODERATION_API_ORIGIN ?? 'http://127.0.0.1:3001';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: apiOrigin, changeOrigin: false },
      '/ws': { target: apiOrigin.replace(/^http/, 'ws'), ws: true },
    },
  },
});
