import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    // The Fastify server imports build/handler.js and hands it every non-/api, non-/ws request.
    adapter: adapter({ out: 'build' }),
    // Mutations go to the API with a double-submit CSRF token; SvelteKit's own origin check only
    // guards form actions, which this app does not use, so it can stay on.
  },
};

export default config;
