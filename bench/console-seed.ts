// Seeds the console benchmark's database in SQL (generate_series, INSERT … SELECT): a large
// community's three years of history for the agents' queue and the supervisor's dashboard.
// Everything is derived from the row number with fixed arithmetic, so two runs seed the same rows.
//
// What the queue listing and the dashboard read, and nothing else: threads (the listing joins
// their category, author and tags; the dashboard counts them by created_at), queue items open
// and resolved, claims in the audit log, flags (on opening posts, the only posts seeded) and CSAT
// answers. The threads' secondary indexes are dropped for the load and built again after it,
// as a bulk load does; the result is the migrated schema.
import { hash } from '@node-rs/argon2';
import pg from 'pg';

export interface ConsoleSeedOptions {
  threads: number;
  openItems: number;
  members: number;
  agents: number;
  password: string;
}

export interface ConsoleSeeded {
  threads: number;
  openItems: number;
  resolvedItems: number;
  claims: number;
  flags: number;
  csat: number;
  agentHandles: string[];
  supervisorHandles: string[];
  databaseBytes: number;
  ms: { insert: number; indexes: number; vacuum: number };
}

const HASH_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const YEARS_DAYS = 1095;

export async function seedConsoleDataset(url: string, o: ConsoleSeedOptions): Promise<ConsoleSeeded> {
  const passwordHash = await hash(o.password, HASH_OPTIONS);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = (text: string, values: unknown[] = []) => client.query(text, values);
  const started = performance.now();
  try {
    await q('set synchronous_commit = off');
    await q("set maintenance_work_mem = '256MB'");
    const now = new Date();
    const staff = o.agents + 2;
    // Staff first (ids 1..staff: agents, then two supervisors), then members.
    await q(
      `insert into users (id, handle, email, password_hash, display_name, role, trust_level, created_at)
       select i,
              case when i <= $2 then 'agent_' || i when i <= $3 then 'supervisor_' || i else 'member_' || i end,
              'user' || i || '@example.com', $1,
              case when i <= $2 then 'Agent ' || i when i <= $3 then 'Supervisor ' || i else 'Member ' || i end,
              (case when i <= $2 then 'agent' when i <= $3 then 'supervisor' else 'member' end)::role,
              case when i <= $3 then 0 else 1 end,
              $5::timestamptz - interval '1200 days'
       from generate_series(1, $4) i`,
      [passwordHash, o.agents, staff, staff + o.members, now],
    );
    await q(`insert into categories (id, slug, name, description, community_window_minutes, position, created_at)
             select i, 'category-' || i, 'Category ' || i, 'A benchmark category', 240, i, $1::timestamptz - interval '1200 days'
             from generate_series(1, 5) i`, [now]);
    await q(`insert into tags (id, slug, name, category_id) select i, 'tag-' || i, 'tag ' || i, 1 + (i - 1) / 3 from generate_series(1, 15) i`);
    await q(`insert into agent_profiles (user_id, on_duty, capacity) select i, true, 20 from generate_series(1, $1) i`, [o.agents]);

    // Threads: evenly over three years, ids in creation order. 28 % open (no peer reply), 45 %
    // answered, 25 % solved, 2 % closed after being answered; a peer reply 5–605 minutes in.
    const { rows: indexes } = await q(
      `select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = 'threads' and indexname <> 'threads_pkey'`,
    );
    for (const index of indexes) await q(`drop index ${index.indexname}`);
    await q(
      `insert into threads (id, category_id, author_id, kind, title, status, status_before_close, reply_count, last_position,
                            first_peer_reply_at, last_activity_at, created_at)
       select i, 1 + i % 5, $2 + 1 + (i::bigint * 7919 % $3)::int,
              (case when i % 3 = 0 then 'discussion' else 'question' end)::thread_kind,
              (array['How do I export a report', 'Sync stops on Android', 'Invoice shows the wrong plan', 'Webhook retries twice',
                     'Cannot invite a guest', 'SSO login loops back', 'Dark mode for the editor', 'Recurring tasks skip a week'])[1 + i % 8] || ' (' || i || ')',
              (case when h < 28 then 'open' when h < 73 then 'answered' when h < 98 then 'solved' else 'closed' end)::thread_status,
              (case when h >= 98 then 'answered' end)::thread_status,
              case when h < 28 then 0 else 1 + i % 4 end, case when h < 28 then 1 else 2 + i % 4 end,
              case when h >= 28 then least(created + ((5 + (i * 31) % 600) * interval '1 minute'), $4::timestamptz - interval '1 minute') end,
              created, created
       from (select i, (i * 2654435761::bigint % 100)::int as h,
                    $4::timestamptz - interval '${YEARS_DAYS} days' + (i::float8 / $1) * interval '${YEARS_DAYS - 1} days' as created
             from generate_series(1, $1) i) s`,
      [o.threads, staff, o.members, now],
    );
    await q(`insert into thread_tags (thread_id, tag_id) select i, 1 + (i % 5) * 3 + i % 3 from generate_series(1, $1) i where i % 10 < 7`, [o.threads]);
    const inserted = performance.now();
    for (const index of indexes) await q(index.indexdef);
    const indexed = performance.now();

    // Open items: every third of the newest threads, opened when the community window ended,
    // due eight hours later; a quarter claimed, one in twenty escalated.
    const recent = o.openItems * 3;
    await q(
      `insert into queue_items (thread_id, status, reasons, opened_at, due_at, claimed_by_id, claimed_at, last_agent_activity_at, escalated_at, first_agent_response_at)
       select t.id, (case when k % 20 < 5 then 'claimed' when k % 20 = 5 then 'escalated' else 'queued' end)::queue_status,
              case when t.id % 17 = 0 then array['unanswered', 'flagged'] else
                (array['unanswered', 'unanswered', 'unanswered', 'unanswered', 'unanswered', 'unanswered', 'flagged', 'flagged', 'requested', 'rule'])[1 + k % 10:1 + k % 10] end,
              o.opened, o.opened + interval '8 hours',
              case when k % 20 < 5 then 1 + k % $3 end, case when k % 20 < 5 then o.opened + interval '10 minutes' end,
              case when k % 20 < 5 then o.opened + interval '10 minutes' end,
              case when k % 20 = 5 then o.opened + interval '4 hours' end,
              case when k % 20 < 3 then o.opened + interval '30 minutes' end
       from threads t
       cross join lateral (select t.id / 3 as k, least(t.created_at + interval '4 hours', $2::timestamptz - interval '1 minute') as opened) o
       where t.id > $1 - ${recent} and t.id % 3 = 0`,
      [o.threads, now, o.agents],
    );
    // Resolved items: one thread in seven over the three years: 55 % answered by an agent, 15 %
    // an agent assisting a peer, 30 % the community; resolved 10 minutes to 2 days after opening.
    await q(
      `insert into queue_items (thread_id, status, reasons, opened_at, due_at, claimed_by_id, claimed_at, last_agent_activity_at,
                                first_agent_response_at, resolved_at, resolved_by_id, resolution)
       select t.id, 'resolved', (array['unanswered', 'unanswered', 'unanswered', 'flagged', 'requested'])[1 + t.id % 5:1 + t.id % 5],
              o.opened, o.opened + interval '8 hours',
              case when r.kind <> 'community' then r.agent end, case when r.kind <> 'community' then o.opened + interval '10 minutes' end,
              case when r.kind <> 'community' then o.resolved end,
              case when r.kind <> 'community' then least(o.opened + ((5 + (t.id * 11) % 240) * interval '1 minute'), o.resolved) end,
              o.resolved, case when r.kind <> 'community' then r.agent end, r.kind::queue_resolution
       from threads t
       cross join lateral (select least(t.created_at + interval '4 hours', $2::timestamptz - interval '2 minutes') as opened) o0
       cross join lateral (select o0.opened, least(o0.opened + ((10 + (t.id * 13) % 2880) * interval '1 minute'), $2::timestamptz - interval '1 minute') as resolved) o
       cross join lateral (select case when (t.id * 7) % 20 < 11 then 'agent' when (t.id * 7) % 20 < 14 then 'assisted' else 'community' end as kind,
                                  1 + (t.id * 3) % $3 as agent) r
       where t.id % 7 = 1 and not (t.id > $1 - ${recent} and t.id % 3 = 0)`,
      [o.threads, now, o.agents],
    );
    // A claim in the audit log for every item an agent held, as the console writes it.
    await q(`
      insert into audit_log (actor_id, action, subject_type, subject_id, data, created_at)
      select claimed_by_id, 'queue.claimed', 'queue_item', id,
             jsonb_build_object('threadId', thread_id, 'before', jsonb_build_object('status', 'queued', 'claimedById', null),
                                'after', jsonb_build_object('status', 'claimed', 'claimedById', claimed_by_id)),
             claimed_at
      from queue_items where claimed_by_id is not null`);
    // Flags: on the opening post of one thread in twenty, raised an hour in; nine in ten handled.
    await q(
      `insert into posts (id, thread_id, author_id, position, body_markdown, body_html, body_text, created_at)
       select t.id, t.id, t.author_id, 1, 'Opening post ' || t.id, '<p>Opening post ' || t.id || '</p>', 'Opening post ' || t.id, t.created_at
       from threads t where t.id % 20 = 0`,
    );
    await q(
      `insert into flags (post_id, flagger_id, reason, weight, status, created_at, resolved_at, resolved_by_id)
       select p.id, $1 + 1 + (p.id * 131) % $2, (array['spam', 'abusive', 'off_topic', 'needs_staff', 'other'])[1 + p.id % 5]::flag_reason, 1,
              (case when p.id % 10 = 0 then 'open' when p.id % 10 < 7 then 'agreed' else 'disagreed' end)::flag_status,
              least(p.created_at + interval '1 hour', $3::timestamptz - interval '1 minute'),
              case when p.id % 10 <> 0 then least(p.created_at + interval '4 hours', $3::timestamptz) end,
              case when p.id % 10 <> 0 then 1 + p.id % $4 end
       from posts p`,
      [staff, o.members, now, o.agents],
    );
    // CSAT: two askers in five answer after an agent resolved their item; mostly 4s and 5s.
    await q(
      `insert into csat_responses (item_id, thread_id, user_id, score, comment, created_at)
       select qi.id, qi.thread_id, t.author_id, (array[5, 5, 4, 5, 3, 4, 5, 2, 4, 1])[1 + qi.id % 10],
              case when qi.id % 4 = 0 then 'Thanks for the help' end, least(qi.resolved_at + interval '1 hour', $1::timestamptz)
       from queue_items qi join threads t on t.id = qi.thread_id
       where qi.status = 'resolved' and qi.resolution in ('agent', 'assisted') and qi.id % 5 < 2`,
      [now],
    );
    for (const table of ['users', 'categories', 'tags', 'threads', 'posts']) {
      await q(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    const beforeVacuum = performance.now();
    await q('vacuum (analyze)');
    const vacuumed = performance.now();
    return await describe(client, o.agents, { insert: inserted - started, indexes: indexed - inserted, vacuum: vacuumed - beforeVacuum });
  } finally {
    await client.end();
  }
}

async function describe(client: pg.Client, agents: number, ms: ConsoleSeeded['ms']): Promise<ConsoleSeeded> {
  const count = async (sql: string) => Number((await client.query(sql)).rows[0].n);
  return {
    threads: await count('select count(*) as n from threads'),
    openItems: await count(`select count(*) as n from queue_items where status <> 'resolved'`),
    resolvedItems: await count(`select count(*) as n from queue_items where status = 'resolved'`),
    claims: await count(`select count(*) as n from audit_log where action = 'queue.claimed'`),
    flags: await count('select count(*) as n from flags'),
    csat: await count('select count(*) as n from csat_responses'),
    agentHandles: Array.from({ length: agents }, (_, i) => `agent_${i + 1}`),
    supervisorHandles: [`supervisor_${agents + 1}`, `supervisor_${agents + 2}`],
    databaseBytes: await count('select pg_database_size(current_database()) as n'),
    ms,
  };
}

/**
 * A database seeded by an earlier run (BENCH_CONSOLE_DATABASE_URL): what it holds, or null when it
 * is empty. Refuses one seeded with other sizes: drop it to seed it again.
 */
export async function describeSeededConsoleDataset(url: string, o: Pick<ConsoleSeedOptions, 'threads' | 'openItems' | 'agents'>): Promise<ConsoleSeeded | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const seeded = await describe(client, o.agents, { insert: 0, indexes: 0, vacuum: 0 });
    if (seeded.threads === 0) return null;
    if (seeded.threads !== o.threads || seeded.openItems !== o.openItems) {
      throw new Error(`${url} holds ${seeded.threads} threads and ${seeded.openItems} open items, not ${o.threads} and ${o.openItems}: drop the database to seed it again`);
    }
    return seeded;
  } finally {
    await client.end();
  }
}
