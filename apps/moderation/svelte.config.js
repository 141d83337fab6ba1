import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // The Fastify server (server/app.ts) imports build/handler.js and hands it every request
    // that is not /api or /ws.
    adapter: adapter({ out: 'build' }),
  },
};

export default config;
