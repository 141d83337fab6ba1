import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { badges, connect, defaultConfig, ensureDatabase, migrateDatabase, startEmbeddedPostgres } from '@forum/core';
import { seedDataset } from './seed.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'badge-probe-'));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), quiet: true });
try {
  await ensureDatabase(server.adminUrl, 'probe');
  const url = server.urlFor('probe');
  await migrateDatabase(url);
  await seedDataset(url, { threads: 10_000, posts: 100_000, members: 200, bigThreadShare: 0.2, password: 'bench-password-1', seed: 20_240_611 });
  const database = connect(url, { max: 1 });
  const ctx = { db: database.db, now: () => new Date(), config: defaultConfig };
  await badges.backfillBadges(ctx);
  const { rows } = await database.db.execute<{ author_id: number; n: number }>(sql`select author_id, count(*)::int n from posts group by 1 order by 2 desc limit 3`);
  console.log(rows);
  const client = await database.pool.connect();
  client.on('notice', (n) => { if ((n as any).message?.includes('duration')) console.log((n as any).message.slice(0, 6000)); });
  await client.query("set client_min_messages = log; load 'auto_explain'; set auto_explain.log_min_duration = 5; set auto_explain.log_analyze = on; set auto_explain.log_nested_statements = on");
  client.release();
  const t = performance.now();
  await badges.evaluateBadges(ctx, [rows[0].author_id]);
  console.log('top member evaluation', (performance.now() - t).toFixed(0), 'ms');
  await database.close();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
