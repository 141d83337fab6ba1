import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { badges, connect, defaultConfig, ensureDatabase, migrateDatabase, startEmbeddedPostgres } from '@forum/core';
import { seedDataset } from './seed.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'badge-probe-'));
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), quiet: true });
try {
  await ensureDatabase(server.adminUrl, 'probe');
  const url = server.urlFor('probe');
  await migrateDatabase(url);
  const t0 = performance.now();
  const seeded = await seedDataset(url, { threads: 10_000, posts: 100_000, members: 200, bigThreadShare: 0.2, password: 'bench-password-1', seed: 20_240_611 });
  console.log(`seeded ${seeded.posts} posts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const database = connect(url, { max: 2 });
  const ctx = { db: database.db, now: () => new Date(), config: defaultConfig };
  const first = await badges.backfillBadges(ctx);
  console.log('from scratch', JSON.stringify(first));
  const again = await badges.backfillBadges(ctx);
  console.log('again', JSON.stringify(again));
  const sweep = await badges.sweepExperts(ctx);
  console.log('sweep', JSON.stringify(sweep));
  const t1 = performance.now();
  const q = await badges.listQualifiers(ctx);
  console.log(`qualifiers ${q.length} in ${(performance.now() - t1).toFixed(0)} ms`);
  // one member's evaluation, as a job does it
  const t2 = performance.now();
  for (let id = 6; id < 26; id++) await badges.evaluateBadges(ctx, [id]);
  console.log(`20 single-member evaluations in ${(performance.now() - t2).toFixed(0)} ms`);
  await database.close();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
