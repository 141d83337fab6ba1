// The console half of `npm run bench`: 1M threads and 20k open queue items in a database of
// their own, the console API (apps/moderation) in its own process, and autocannon on the agents'
// queue listing and the supervisor's dashboard. run.ts calls runConsoleBench and puts the
// section it returns into bench/results.md.
import { connect, dashboard, ensureDatabase, migrateDatabase } from '@forum/core';
import { REFRESH_DEEP_DAYS, REFRESH_RECENT_DAYS } from '@forum/core/dashboard/rollup';
import * as dq from '@forum/core/dashboard/queries';
import type { LoadResult } from './load.js';
import { asEach, logIn as logInAs, rotating, type Scenario, type Session } from './requests.js';
import { describeSeededConsoleDataset, seedConsoleDataset, type ConsoleSeeded } from './console-seed.js';

export type ConsoleScenario = Scenario;

export interface ConsoleMeasured {
  scenario: ConsoleScenario;
  description: string;
  result: LoadResult;
  cpu: { server: number; postgres: number | null; client: number; other: number | null };
  rss: number;
  transactionsPerRequest: number;
}

export interface ConsoleBenchDeps {
  /** creates and migrates a database of its own on the bench's server; returns its URL */
  createDatabase(name: string): Promise<string>;
  startServer(databaseUrl: string, app: 'moderation'): Promise<{ origin: string; pid: number }>;
  /** runs one scenario as the forum scenarios run (warm-up, measured window, CPU) */
  measure(server: { origin: string; pid: number }, databaseUrl: string, scenario: ConsoleScenario): Promise<ConsoleMeasured>;
  log(line?: string): void;
  password: string;
  seconds: number;
  warmupSeconds: number;
}

const THREADS = Number(process.env.BENCH_CONSOLE_THREADS ?? 1_000_000);
const OPEN_ITEMS = Number(process.env.BENCH_CONSOLE_OPEN_ITEMS ?? 20_000);
const AGENTS = 20;
const LOGGED_IN_AGENTS = 10;
/** the pages of the open queue the listing scenario reads (1 = the first, without a cursor) */
const PAGES = [1, 2, 5, 10, 50];
const QUERY_ROUNDS = 15;
/**
 * A database of your own to keep the seeded dataset between runs (seeding takes minutes): migrated,
 * seeded when empty, reused when it holds this size of dataset, never dropped. It may live on
 * another server than the bench's, so PostgreSQL's CPU is not measured then.
 */
const KEPT_DATABASE_URL = process.env.BENCH_CONSOLE_DATABASE_URL;

/** Logs in to the console as a browser does. */
const logIn = (origin: string, handle: string, password: string) => logInAs(origin, handle, password, 'console_sid');

async function getJson(origin: string, path: string, session: Session): Promise<any> {
  const response = await fetch(origin + path, { headers: { cookie: session.cookie } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

/** Each dashboard query alone, one at a time: the median and p95 of QUERY_ROUNDS runs. */
async function queryBreakdown(databaseUrl: string) {
  const database = connect(databaseUrl, { max: 2 });
  const now = new Date();
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monday = new Date(dayStart.getTime() - ((now.getUTCDay() + 6) % 7) * 86_400_000);
  const ranges = {
    day: { unit: 'day' as const, from: new Date(dayStart.getTime() - 13 * 86_400_000), to: new Date(dayStart.getTime() + 86_400_000), now },
    week: { unit: 'week' as const, from: new Date(monday.getTime() - 11 * 7 * 86_400_000), to: new Date(monday.getTime() + 7 * 86_400_000), now },
  };
  const db = database.db;
  const queries: Array<[string, (r: dq.Range) => Promise<unknown>]> = [
    ['the days: stored rows of the finished ones, today live', (r) => dq.dayRows(db, r, dayStart)],
    ['per agent: stored days, today live', (r) => dq.agentTotals(db, r, dayStart)],
    ['finished days without a stored row', (r) => dq.missingDays(db, r.from, dayStart)],
    ['open items per agent now', () => dq.openByAgent(db)],
    ['the queue now', (r) => dq.queueNow(db, r.now)],
    ["an agent's own (/me): items resolved, time to resolution", (r) => dq.resolvedStats(db, r, 1)],
    ["an agent's own (/me): claims", (r) => dq.assignments(db, r, 1)],
    ["an agent's own (/me): CSAT", (r) => dq.csatStats(db, r, 1)],
  ];
  const rows: Array<{ name: string; day: { median: number; p95: number }; week: { median: number; p95: number } }> = [];
  try {
    for (const [name, run] of queries) {
      const stats = {} as Record<'day' | 'week', { median: number; p95: number }>;
      for (const period of ['day', 'week'] as const) {
        const times: number[] = [];
        for (let i = 0; i < QUERY_ROUNDS; i++) {
          const started = performance.now();
          await run(ranges[period]);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        stats[period] = { median: times[Math.floor(times.length / 2)], p95: times[Math.ceil(times.length * 0.95) - 1] };
      }
      rows.push({ name, ...stats });
    }
  } finally {
    await database.close();
  }
  return rows;
}

export interface ConsoleBenchResult {
  seeded: ConsoleSeeded;
  seedMs: number;
  /** the dataset was seeded by an earlier run (BENCH_CONSOLE_DATABASE_URL) */
  kept: boolean;
  /** the dashboard's rollups: the deep window, and an hourly run's recent days */
  rollup: { deepMs: number; recentMs: number };
  measured: ConsoleMeasured[];
  breakdown: Awaited<ReturnType<typeof queryBreakdown>>;
}

export async function runConsoleBench(deps: ConsoleBenchDeps): Promise<ConsoleBenchResult> {
  const { log } = deps;
  log(`Console benchmark: ${THREADS.toLocaleString('en-US')} threads, ${OPEN_ITEMS.toLocaleString('en-US')} open queue items`);
  let url: string;
  if (KEPT_DATABASE_URL) {
    url = KEPT_DATABASE_URL;
    const admin = new URL(url);
    admin.pathname = '/postgres';
    await ensureDatabase(admin.toString(), decodeURIComponent(new URL(url).pathname.slice(1)));
    await migrateDatabase(url);
  } else url = await deps.createDatabase(`forum_console_bench_${process.pid}`);
  const seedStarted = performance.now();
  const kept = KEPT_DATABASE_URL ? await describeSeededConsoleDataset(url, { threads: THREADS, openItems: OPEN_ITEMS, agents: AGENTS }) : null;
  const seeded = kept ?? (await seedConsoleDataset(url, { threads: THREADS, openItems: OPEN_ITEMS, members: 5_000, agents: AGENTS, password: deps.password }));
  const seedMs = kept ? 0 : performance.now() - seedStarted;
  if (kept) log('  reusing the dataset seeded earlier in BENCH_CONSOLE_DATABASE_URL');
  else log(`  seeded in ${(seedMs / 1000).toFixed(1)} s: ${seeded.threads.toLocaleString('en-US')} threads, ${seeded.openItems.toLocaleString('en-US')} open and ${seeded.resolvedItems.toLocaleString('en-US')} resolved items`);

  // The dashboard's daily rollups as the hourly job keeps them: the deep window (its pass once a
  // day, more than the 12-week view reads), then an ordinary hourly run's recent days.
  const rollup = await timeRollups(url);
  log(`  dashboard rollups: ${REFRESH_DEEP_DAYS} days in ${(rollup.deepMs / 1000).toFixed(1)} s, an hourly run's ${REFRESH_RECENT_DAYS} in ${(rollup.recentMs / 1000).toFixed(1)} s`);

  const server = await deps.startServer(url, 'moderation');
  const agents: Session[] = [];
  for (const handle of seeded.agentHandles.slice(0, LOGGED_IN_AGENTS)) agents.push(await logIn(server.origin, handle, deps.password));
  const supervisors = [await logIn(server.origin, seeded.supervisorHandles[0], deps.password)];

  // The cursors of later pages, walked once as an agent would by scrolling.
  const queuePaths: string[] = [];
  let cursor: string | null = null;
  for (let page = 1; page <= Math.max(...PAGES); page++) {
    const path: string = `/api/queue?status=open${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    if (PAGES.includes(page)) queuePaths.push(path);
    const body = await getJson(server.origin, path, agents[0]);
    cursor = body.nextCursor;
    if (!cursor) break;
  }

  const scenarios: ConsoleScenario[] = [
    // Four agents paging at once is the console's everyday load; ten at once saturates this
    // 2-core machine, so that row measures queueing as much as the query.
    ...([4, 10] as const).map((connections): ConsoleScenario => ({
      name: `console queue listing, ${connections} agents at once`,
      connections,
      requests: rotating(queuePaths, asEach(agents)),
      async check(origin) {
        const body = await getJson(origin, queuePaths[0], agents[0]);
        if (body.items.length !== 20) throw new Error(`the queue listing returned ${body.items.length} items, not 20`);
        return `GET /api/queue?status=open, the first page and pages ${PAGES.slice(1).join(', ')} by cursor, as ${agents.length} agents`;
      },
      target: 'p95 ≤ 20 ms, no errors',
      met: (x) => x.p95 <= 20,
    })),
    ...(['day', 'week'] as const).map((period): ConsoleScenario => ({
      name: `dashboard, period=${period}`,
      connections: 4,
      requests: rotating([`/api/dashboard?period=${period}`], asEach(supervisors)),
      async check(origin) {
        const body = await getJson(origin, `/api/dashboard?period=${period}`, supervisors[0]);
        if (body.totals.incoming < 100) throw new Error(`the dashboard counted ${body.totals.incoming} incoming threads`);
        return `GET /api/dashboard?period=${period} (${body.buckets.length} buckets, ${body.totals.incoming.toLocaleString('en-US')} threads, ${body.queueNow.open.toLocaleString('en-US')} open items), as a supervisor`;
      },
      target: 'p95 ≤ 100 ms, no errors',
      met: (x) => x.p95 <= 100,
    })),
  ];
  const measured: ConsoleMeasured[] = [];
  log('Load (console):');
  for (const scenario of scenarios) {
    const m = await deps.measure(server, url, scenario);
    // The kept database's server need not be the one whose processes the bench watches.
    measured.push(KEPT_DATABASE_URL ? { ...m, cpu: { ...m.cpu, postgres: null, other: null } } : m);
  }
  process.stdout.write('  dashboard queries one at a time … ');
  const breakdown = await queryBreakdown(url);
  log('done');
  return { seeded, seedMs, kept: kept !== null, rollup, measured, breakdown };
}

/** Recomputes the dashboard's rows of the last REFRESH_DEEP_DAYS finished days, then of the last REFRESH_RECENT_DAYS, timing each. */
async function timeRollups(databaseUrl: string): Promise<{ deepMs: number; recentMs: number }> {
  const database = connect(databaseUrl, { max: 2 });
  try {
    const now = new Date();
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    let started = performance.now();
    await dashboard.refreshDays(database.db, new Date(today.getTime() - REFRESH_DEEP_DAYS * 86_400_000), today, now);
    const deepMs = performance.now() - started;
    started = performance.now();
    await dashboard.refreshDays(database.db, new Date(today.getTime() - REFRESH_RECENT_DAYS * 86_400_000), today, now);
    return { deepMs, recentMs: performance.now() - started };
  } finally {
    await database.close();
  }
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString());
const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The console section of results.md, between markers so a console-only run can replace it alone. */
export function consoleReport(r: ConsoleBenchResult, table: (head: string[], rows: string[][]) => string): string {
  const s = r.seeded;
  const verdict = (m: ConsoleMeasured) => (m.result.errors === 0 && m.scenario.met(m.result) ? 'pass' : '**miss**');
  return `<!-- console -->
## Moderation console: the agents' queue and the supervisor's dashboard

Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}. A database of its own, seeded in SQL (\`bench/console-seed.ts\`): ${int(s.threads)} threads over three years, ${int(s.openItems)} open queue items (a quarter claimed), ${int(s.resolvedItems)} resolved ones (55 % by an agent answering, 15 % assisting, 30 % by the community), ${int(s.claims)} claims in the audit log, ${int(s.flags)} flags, ${int(s.csat)} CSAT answers; database ${int(s.databaseBytes / 1024 / 1024)} MB. ${r.kept ? 'Seeded by an earlier run and kept (`BENCH_CONSOLE_DATABASE_URL`; PostgreSQL CPU not measured).' : `Seed time ${(r.seedMs / 1000).toFixed(1)} s (threads ${(s.ms.insert / 1000).toFixed(1)} s, their indexes ${(s.ms.indexes / 1000).toFixed(1)} s, vacuum analyze ${(s.ms.vacuum / 1000).toFixed(1)} s).`} The console API (\`buildModerationApp\`, pool of 20, NODE_ENV=production) in its own process; autocannon as above, logged in through the console's \`/api/auth/login\`.

${table(
  ['scenario', 'connections', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'server RSS MB', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'target', 'result'],
  r.measured.map((m) => [
    m.scenario.name,
    String(m.scenario.connections),
    int(m.result.rps),
    ms(m.result.p50),
    ms(m.result.p95),
    ms(m.result.p99),
    m.result.errors ? `${int(m.result.errors)} (${Object.entries(m.result.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}× ${c}`).join(', ') || 'connection'})` : '0',
    String(Math.round(m.rss / 1024 / 1024)),
    ((m.cpu.server / m.result.rps) * 1000).toFixed(2),
    m.cpu.postgres === null ? 'n/a' : ((m.cpu.postgres / m.result.rps) * 1000).toFixed(2),
    m.scenario.target,
    verdict(m),
  ]),
)}

Requests: ${r.measured.map((m) => `${m.scenario.name}: ${m.description}`).join('; ')}. The dashboard reads the stored rows of its finished days (\`dashboard_daily\`, \`dashboard_agent_daily\`, kept by the hourly \`dashboard.rollup\` job) and computes today live, four queries at once on the pool, then sums the days per bucket and merges their duration histograms in Node. Before the load the rollups were computed as the job keeps them: ${REFRESH_DEEP_DAYS} days in ${(r.rollup.deepMs / 1000).toFixed(1)} s (its once-a-day pass), an hourly run's ${REFRESH_RECENT_DAYS} days in ${(r.rollup.recentMs / 1000).toFixed(1)} s.

Each dashboard query alone, one at a time (${QUERY_ROUNDS} runs; default ranges: the last 14 days, the last 12 weeks), median / p95 ms:

${table(
  ['query', 'day median', 'day p95', 'week median', 'week p95'],
  r.breakdown.map((b) => [b.name, ms(b.day.median), ms(b.day.p95), ms(b.week.median), ms(b.week.p95)]),
)}
<!-- /console -->
`;
}
