// `npm start`: builds the UIs when needed, starts PostgreSQL (embedded unless DATABASE_URL is
// set), migrates, seeds the demo community once, and serves the forum and the console.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { accounts, badges, crm, dashboard, DEMO_PASSWORD, sentiment, pruneEvents, pruneRateLimits, seedDemoCommunity, systemClock, trust } from '@forum/core';
import { buildForumApp } from '../apps/forum/server/app.js';
import { buildModerationApp } from '../apps/moderation/server/app.js';
import { openDatabase, readConfig, repoRoot } from '../apps/forum/server/runtime.js';

const log = (line: string) => console.log(line);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Rebuilds an app's SvelteKit UI when its build is missing or older than its sources. */
function ensureUiBuilt(app: string): void {
  const appDir = path.join(repoRoot, 'apps', app);
  const handler = path.join(appDir, 'build', 'handler.js');
  if (process.env.SKIP_UI_BUILD === '1' || !existsSync(path.join(appDir, 'src'))) return;
  if (existsSync(handler) && statSync(handler).mtimeMs >= newestMtime(path.join(appDir, 'src'))) return;
  log(`Building the ${app} UI …`);
  const result = spawnSync('npm', ['run', 'build', '--workspace', `apps/${app}`], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`building apps/${app} failed`);
}

async function main(): Promise<void> {
  const config = readConfig();
  ensureUiBuilt('forum');
  ensureUiBuilt('moderation');
  const opened = await openDatabase(config, log);
  if (await seedDemoCommunity(opened.database.db, config.core)) log('Seeded the demo community.');
  // The weekly QA sample reschedules itself; this starts the chain once (idempotent).
  await dashboard.ensureQaSampleScheduled(opened.database.db, new Date());
  // The dashboard's hourly rollup of finished days reschedules itself too.
  await dashboard.ensureDashboardRollupScheduled(opened.database.db, new Date());
  // Case changes are polled from the CRM (webhooks, when configured, bring them sooner).
  await crm.ensureCrmPollScheduled(opened.database.db, config.core, new Date());
  // Posts written before sentiment was scored (the demo's, an upgrade's) are scored in the
  // background, a batch at a time, while the servers already answer.
  void (async () => {
    while ((await sentiment.backfillSentiment(opened.database.db, new Date())) > 0) await new Promise((r) => setTimeout(r, 50));
  })().catch(() => {});

  process.env.FORUM_API_ORIGIN = `http://127.0.0.1:${config.forumPort}`;
  process.env.MODERATION_API_ORIGIN = `http://127.0.0.1:${config.moderationPort}`;
  process.env.PUBLIC_FORUM_URL ??= `http://localhost:${config.forumPort}`;
  // cases escalated to the CRM link back to the thread at the forum's public address
  config.core = { ...config.core, crm: { ...config.core.crm, forumUrl: process.env.PUBLIC_FORUM_URL } };
  const common = { database: opened.database, config: config.core, logger: config.logger, secureCookies: config.secureCookies, trustProxy: config.trustProxy };
  const forumApp = await buildForumApp({ ...common, pageCache: process.env.PAGE_CACHE !== '0', jobs: true });
  const moderationApp = await buildModerationApp(common);
  await forumApp.listen({ port: config.forumPort, host: config.host });
  await moderationApp.listen({ port: config.moderationPort, host: config.host });

  const shown = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  log('');
  log(`  Forum:               http://${shown}:${config.forumPort}`);
  log(`  Moderation console:  http://${shown}:${config.moderationPort}`);
  log(`  API docs:            http://${shown}:${config.forumPort}/api/docs`);
  log(`  Database:            ${opened.embedded ? `embedded PostgreSQL (data in ${path.relative(process.cwd(), path.join(config.dataDir, 'pg')) || '.'})` : 'DATABASE_URL'}`);
  log('');
  log(`  Demo logins (password "${DEMO_PASSWORD}" for all):`);
  log('    member      maya, dev_raj, sofia, tomasz, lea, kenji, amara, jonas, priya');
  log('    agent       alex_agent');
  log('    supervisor  sam_super');
  log('    admin       admin');
  log('    product     pia_product (the console\'s Insights only)');
  log('');
  log('  Ctrl-C stops the servers and PostgreSQL.');

  // Housekeeping every hour: a week of outbox events is plenty, expired sessions and old
  // rate-limit windows are dead rows.
  const housekeeping = { db: opened.database.db, actor: null, now: systemClock, config: config.core };
  const prune = setInterval(() => {
    void pruneEvents(opened.database.db, new Date(Date.now() - 7 * 86_400_000)).catch(() => {});
    void accounts.pruneExpiredSessions(housekeeping).catch(() => {});
    void pruneRateLimits(housekeeping).catch(() => {});
    // a month of CRM webhook event ids is far past any sender's retries
    void crm.pruneWebhookReceipts(opened.database.db, new Date(Date.now() - 30 * 86_400_000)).catch(() => {});
    // Expert in ‹tag› lapses (or qualifies) as answers leave its window, with no event to say so
    void badges.sweepExperts(housekeeping).catch(() => {});
    // promotions that time alone brings (days since joining)
    void trust.evaluateEveryone(housekeeping).catch(() => {});
  }, 3_600_000);
  prune.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: stopping …`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await Promise.allSettled([forumApp.close(), moderationApp.close()]);
    await opened.close();
    log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
