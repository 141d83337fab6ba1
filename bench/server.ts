// The forum API (or the console's, BENCH_SERVER_APP=moderation) as production runs it, in its own process so its memory is measured alone and
// its event loop is not shared with the load generator. run.ts starts it with
// `node --import tsx bench/server.ts` and BENCH_SERVER_DATABASE_URL; it prints one ready line,
// `bench-server listening <port>`, and stops on SIGTERM.
import type { AddressInfo } from 'node:net';
import { connect, defaultConfig, type CoreConfig } from '@forum/core';
import { buildForumApp } from '../apps/forum/server/app.js';
import { buildModerationApp } from '../apps/moderation/server/app.js';

const url = process.env.BENCH_SERVER_DATABASE_URL;
if (!url) throw new Error('BENCH_SERVER_DATABASE_URL is not set');

// The bench drives thousands of logins and replies from a few accounts on one address.
const unlimited = { limit: 1e9, windowSeconds: 1 };
const config: CoreConfig = { ...defaultConfig, rateLimits: { signup: unlimited, login: unlimited, post: unlimited } };

// As `npm start` runs it: the pool size of apps/forum/server/runtime.ts, and the page cache of
// anonymous readers' pages on unless PAGE_CACHE=0.
const database = connect(url, { max: 20 });
// BENCH_SERVER_APP=moderation: the console API instead (the console half of the bench).
const app =
  process.env.BENCH_SERVER_APP === 'moderation'
    ? await buildModerationApp({ database, config, ui: false, logger: false })
    : await buildForumApp({ database, config, ui: false, logger: false, pageCache: process.env.PAGE_CACHE !== '0' });
await app.realtime.ready;
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`bench-server listening ${(app.server.address() as AddressInfo).port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await app.close().catch(() => {});
  await database.close().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// The parent going away (even killed) closes our stdin: do not outlive it.
process.stdin.on('end', () => void stop());
process.stdin.resume();
