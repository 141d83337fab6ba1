// Seeds the benchmark database straight through `pg`: members, categories and tags, threads,
// posts and votes, written as multi-row INSERTs from unnest() arrays. The rows are what the
// services would have written: positions 1..n, reply counts, last positions, statuses, first
// reply times, scores and accepted answers all agree with the posts.
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { personName, postBody, rng, threadTitle, type CategorySlug, type Rng } from './text.js';

export interface SeedOptions {
  threads: number;
  posts: number;
  members: number;
  /** share of threads with 20–40 posts (a full page for "thread read (20 posts)") */
  bigThreadShare: number;
  password: string;
  seed: number;
}

export interface Seeded {
  users: number;
  threads: number;
  posts: number;
  votes: number;
  /** live, not closed threads with at least 20 posts */
  bigThreadIds: number[];
  /** threads that accept replies */
  openThreadIds: number[];
  /** member handles that share `password` (every account does) */
  memberHandles: string[];
  /** staff handles (agents, a supervisor, an admin), same password */
  staffHandles: string[];
  databaseBytes: number;
  timings: { generateMs: number; insertMs: number; vacuumMs: number };
}

const DAY = 86_400_000;
const BATCH = 5_000;
// The accounts service's Argon2id cost, so logging in costs in the bench what it costs live.
const HASH_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const categoryList: Array<{ slug: CategorySlug; name: string; description: string; window: number; share: number; tags: string[] }> = [
  { slug: 'getting-started', name: 'Getting started', description: 'Setting up workspaces, projects and teams.', window: 240, share: 0.3, tags: ['onboarding', 'projects', 'invites'] },
  { slug: 'billing', name: 'Billing & accounts', description: 'Plans, invoices, payment methods and single sign-on.', window: 120, share: 0.15, tags: ['invoices', 'plans', 'sso'] },
  { slug: 'integrations', name: 'Integrations & API', description: 'The REST API, webhooks, Slack and Zapier.', window: 480, share: 0.2, tags: ['api', 'webhooks', 'slack', 'zapier'] },
  { slug: 'mobile', name: 'Mobile apps', description: 'The iOS and Android apps: sync, offline mode and notifications.', window: 240, share: 0.2, tags: ['ios', 'android', 'notifications'] },
  { slug: 'ideas', name: 'Ideas & feedback', description: 'Tell the product team what you need.', window: 1440, share: 0.15, tags: ['feature-request', 'ux'] },
];

type Role = 'member' | 'agent' | 'supervisor' | 'admin';
const STAFF: Role[] = ['agent', 'agent', 'agent', 'supervisor', 'admin'];

interface Rows {
  users: { id: number[]; handle: string[]; email: string[]; displayName: string[]; role: Role[]; createdAt: Date[] };
  threads: {
    id: number[]; categoryId: number[]; authorId: number[]; kind: string[]; title: string[]; status: string[];
    statusBeforeClose: (string | null)[]; acceptedPostId: (number | null)[]; replyCount: number[]; lastPosition: number[];
    score: number[]; firstPeerReplyAt: (Date | null)[]; firstStaffReplyAt: (Date | null)[]; lastActivityAt: Date[]; createdAt: Date[];
  };
  threadTags: { threadId: number[]; tagId: number[] };
  posts: Array<{ id: number; threadId: number; authorId: number; position: number; markdown: string; html: string; text: string; score: number; createdAt: Date }>;
  votes: { postId: number[]; userId: number[]; value: number[]; createdAt: Date[] };
  bigThreadIds: number[];
  openThreadIds: number[];
}

/** Posts per thread: `share` of threads get 20–40, the rest 1–12, adjusted to total exactly `posts`. */
function postCounts(r: Rng, o: SeedOptions): number[] {
  if (o.posts < o.threads || o.posts > o.threads * 19) throw new Error('between 1 and 19 posts per thread on average, please');
  const counts = Array.from({ length: o.threads }, () => (r.chance(o.bigThreadShare) ? r.int(20, 40) : r.int(1, 12)));
  let diff = o.posts - counts.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = r.int(0, o.threads - 1);
    if (counts[i] >= 20) continue;
    if (diff > 0 && counts[i] < 19) (counts[i]++, diff--);
    else if (diff < 0 && counts[i] > 1) (counts[i]--, diff++);
  }
  return counts;
}

function generate(o: SeedOptions, now: number): Rows {
  const r = rng(o.seed);
  const users: Rows['users'] = { id: [], handle: [], email: [], displayName: [], role: [], createdAt: [] };
  for (let id = 1; id <= o.members; id++) {
    const name = personName(r);
    const handle = `${name.toLowerCase().replace(/[^a-z]+/g, '_')}_${id}`;
    users.id.push(id);
    users.handle.push(handle);
    users.email.push(`${handle}@example.com`);
    users.displayName.push(id <= STAFF.length ? `${name} (Support)` : name);
    users.role.push(STAFF[id - 1] ?? 'member');
    users.createdAt.push(new Date(now - 800 * DAY - r.int(0, 100) * DAY));
  }
  const staffIds = users.id.slice(0, STAFF.length);
  // Shuffled, so the handful of very active members (Zipf's head) are not simply the first ids.
  const memberIds = users.id.slice(STAFF.length).sort(() => r.next() - 0.5);

  const threads: Rows['threads'] = {
    id: [], categoryId: [], authorId: [], kind: [], title: [], status: [], statusBeforeClose: [], acceptedPostId: [],
    replyCount: [], lastPosition: [], score: [], firstPeerReplyAt: [], firstStaffReplyAt: [], lastActivityAt: [], createdAt: [],
  };
  const threadTags: Rows['threadTags'] = { threadId: [], tagId: [] };
  const posts: Rows['posts'] = [];
  const bigThreadIds: number[] = [];
  const openThreadIds: number[] = [];
  const tagIdsByCategory = new Map<number, number[]>();
  let tagId = 0;
  categoryList.forEach((c, i) => tagIdsByCategory.set(i + 1, c.tags.map(() => ++tagId)));

  const counts = postCounts(r, o);
  const span = 730 * DAY;
  for (let t = 0; t < o.threads; t++) {
    const id = t + 1;
    let roll = r.next();
    const categoryIndex = categoryList.findIndex((c) => (roll -= c.share) < 0);
    const category = categoryList[categoryIndex === -1 ? 0 : categoryIndex];
    const categoryId = categoryList.indexOf(category) + 1;
    const authorId = r.zipf(memberIds);
    const kind = r.chance(0.65) ? 'question' : 'discussion';
    // Ids follow creation time, as they do live.
    const createdAt = now - span + Math.floor(((t + r.next()) / o.threads) * (span - DAY));
    let clock = createdAt;
    let firstPeer: number | null = null;
    let firstStaff: number | null = null;
    const threadPosts: Rows['posts'] = [];
    for (let position = 1; position <= counts[t]; position++) {
      let author = authorId;
      if (position > 1) {
        clock += Math.floor(-Math.log(1 - r.next()) * (position < 4 ? 3 : 12) * 3_600_000);
        const roll2 = r.next();
        author = roll2 < 0.12 ? r.pick(staffIds) : roll2 < 0.27 ? authorId : r.zipf(memberIds);
        const staff = author <= STAFF.length;
        if (author !== authorId && !staff) firstPeer ??= clock;
        if (author !== authorId && staff) firstStaff ??= clock;
      }
      clock = Math.min(clock, now - 60_000);
      const body = postBody(r, category.slug);
      threadPosts.push({ id: 0, threadId: id, authorId: author, position, markdown: body.markdown, html: body.html, text: body.text, score: 0, createdAt: new Date(clock) });
    }
    posts.push(...threadPosts);
    let status = firstPeer !== null ? 'answered' : 'open';
    let accepted: (typeof threadPosts)[number] | null = null;
    if (kind === 'question' && firstPeer !== null && r.chance(0.4)) {
      const candidates = threadPosts.filter((p) => p.position > 1 && p.authorId !== authorId);
      accepted = r.pick(candidates);
      status = 'solved';
    }
    const closed = r.chance(0.01);
    threads.id.push(id);
    threads.categoryId.push(categoryId);
    threads.authorId.push(authorId);
    threads.kind.push(kind);
    threads.title.push(threadTitle(r, category.slug));
    threads.status.push(closed ? 'closed' : status);
    threads.statusBeforeClose.push(closed ? status : null);
    // Patched with the real post id once posts are numbered.
    threads.acceptedPostId.push(accepted ? -threadPosts.indexOf(accepted) - 1 : null);
    threads.replyCount.push(counts[t] - 1);
    threads.lastPosition.push(counts[t]);
    threads.score.push(0);
    threads.firstPeerReplyAt.push(firstPeer === null ? null : new Date(firstPeer));
    threads.firstStaffReplyAt.push(firstStaff === null ? null : new Date(firstStaff));
    threads.lastActivityAt.push(threadPosts[threadPosts.length - 1].createdAt);
    threads.createdAt.push(new Date(createdAt));
    const tagPool = tagIdsByCategory.get(categoryId)!;
    const tagCount = r.chance(0.7) ? r.int(1, Math.min(2, tagPool.length)) : 0;
    for (const tag of [...tagPool].sort(() => r.next() - 0.5).slice(0, tagCount)) {
      threadTags.threadId.push(id);
      threadTags.tagId.push(tag);
    }
    if (!closed) openThreadIds.push(id);
    if (!closed && counts[t] >= 20) bigThreadIds.push(id);
  }

  // Post ids follow creation time across threads, so a thread's posts are spread over the heap
  // the way they are in a live database, not packed on neighbouring pages.
  const firstPostIndex: number[] = [];
  posts.forEach((p, i) => {
    if (p.position === 1) firstPostIndex[p.threadId - 1] = i;
  });
  const order = posts.map((_, i) => i).sort((a, b) => posts[a].createdAt.getTime() - posts[b].createdAt.getTime() || a - b);
  order.forEach((index, rank) => (posts[index].id = rank + 1));

  const votes: Rows['votes'] = { postId: [], userId: [], value: [], createdAt: [] };
  for (const p of posts) {
    if (!r.chance(0.3)) continue;
    const voters = new Set<number>();
    for (let k = Math.floor(1 + -Math.log(1 - r.next()) * 2); k > 0; k--) {
      const voter = r.int(1, o.members);
      if (voter !== p.authorId) voters.add(voter);
    }
    for (const voter of voters) {
      const value = r.chance(0.9) ? 1 : -1;
      votes.postId.push(p.id);
      votes.userId.push(voter);
      votes.value.push(value);
      votes.createdAt.push(new Date(Math.min(now - 60_000, p.createdAt.getTime() + r.int(1, 72) * 3_600_000)));
      p.score += value;
    }
  }
  threads.acceptedPostId = threads.acceptedPostId.map((a, t) => (a === null ? null : posts[firstPostIndex[t] - a - 1].id));
  threads.score = threads.id.map((_, t) => posts[firstPostIndex[t]].score);
  posts.sort((a, b) => a.id - b.id);
  return { users, threads, threadTags, posts, votes, bigThreadIds, openThreadIds };
}

/** Seeds an empty, migrated database; see Seeded for what comes back. */
export async function seedDataset(url: string, o: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const now = Date.now();
  const [rows, passwordHash] = await Promise.all([Promise.resolve().then(() => generate(o, now)), hash(o.password, HASH_OPTIONS)]);
  const generated = performance.now();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Only this seeding session: nothing here needs to survive a crash.
    await client.query('set synchronous_commit = off');
    await client.query('begin');
    const u = rows.users;
    await client.query(
      `insert into users (id, handle, email, password_hash, display_name, role, created_at)
       select id, handle, email, $4, display_name, role::role, created_at
       from unnest($1::int[], $2::text[], $3::text[], $5::text[], $6::text[], $7::timestamptz[]) as u(id, handle, email, display_name, role, created_at)`,
      [u.id, u.handle, u.email, passwordHash, u.displayName, u.role, u.createdAt],
    );
    for (const [i, c] of categoryList.entries()) {
      await client.query(
        `insert into categories (id, slug, name, description, community_window_minutes, position, created_at) values ($1, $2, $3, $4, $5, $6, $7)`,
        [i + 1, c.slug, c.name, c.description, c.window, i, new Date(now - 900 * DAY)],
      );
    }
    let tagId = 0;
    for (const [i, c] of categoryList.entries()) {
      for (const slug of c.tags) {
        await client.query('insert into tags (id, slug, name, category_id) values ($1, $2, $3, $4)', [++tagId, slug, slug.replace(/-/g, ' '), i + 1]);
      }
    }
    const t = rows.threads;
    for (let start = 0; start < t.id.length; start += BATCH) {
      const s = (a: unknown[]) => a.slice(start, start + BATCH);
      await client.query(
        `insert into threads (id, category_id, author_id, kind, title, status, status_before_close, accepted_post_id, reply_count,
                              last_position, score, first_peer_reply_at, first_staff_reply_at, last_activity_at, created_at)
         select id, category_id, author_id, kind::thread_kind, title, status::thread_status, status_before_close::thread_status,
                accepted_post_id, reply_count, last_position, score, first_peer_reply_at, first_staff_reply_at, last_activity_at, created_at
         from unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int[], $10::int[],
                     $11::int[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[])
           as t(id, category_id, author_id, kind, title, status, status_before_close, accepted_post_id, reply_count,
                last_position, score, first_peer_reply_at, first_staff_reply_at, last_activity_at, created_at)`,
        [s(t.id), s(t.categoryId), s(t.authorId), s(t.kind), s(t.title), s(t.status), s(t.statusBeforeClose), s(t.acceptedPostId),
          s(t.replyCount), s(t.lastPosition), s(t.score), s(t.firstPeerReplyAt), s(t.firstStaffReplyAt), s(t.lastActivityAt), s(t.createdAt)],
      );
    }
    await client.query('insert into thread_tags (thread_id, tag_id) select * from unnest($1::int[], $2::int[])', [rows.threadTags.threadId, rows.threadTags.tagId]);
    for (let start = 0; start < rows.posts.length; start += BATCH) {
      const batch = rows.posts.slice(start, start + BATCH);
      const col = <K extends keyof (typeof batch)[number]>(k: K) => batch.map((p) => p[k]);
      await client.query(
        `insert into posts (id, thread_id, author_id, position, body_markdown, body_html, body_text, score, created_at)
         select * from unnest($1::int[], $2::int[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[], $9::timestamptz[])`,
        [col('id'), col('threadId'), col('authorId'), col('position'), col('markdown'), col('html'), col('text'), col('score'), col('createdAt')],
      );
    }
    const v = rows.votes;
    for (let start = 0; start < v.postId.length; start += BATCH * 4) {
      const s = (a: unknown[]) => a.slice(start, start + BATCH * 4);
      await client.query(
        'insert into votes (post_id, user_id, value, created_at) select * from unnest($1::int[], $2::int[], $3::smallint[], $4::timestamptz[])',
        [s(v.postId), s(v.userId), s(v.value), s(v.createdAt)],
      );
    }
    for (const table of ['users', 'categories', 'tags', 'threads', 'posts']) {
      await client.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
    }
    await client.query('commit');
    const inserted = performance.now();
    // What autovacuum would have done on a live database: statistics, visibility map, GIN pending lists.
    await client.query('vacuum (analyze)');
    const vacuumed = performance.now();
    const size = await client.query<{ bytes: string }>('select pg_database_size(current_database()) as bytes');
    return {
      users: u.id.length,
      threads: t.id.length,
      posts: rows.posts.length,
      votes: v.postId.length,
      bigThreadIds: rows.bigThreadIds,
      openThreadIds: rows.openThreadIds,
      memberHandles: u.handle.filter((_, i) => u.role[i] === 'member'),
      staffHandles: u.handle.filter((_, i) => u.role[i] !== 'member'),
      databaseBytes: Number(size.rows[0].bytes),
      timings: { generateMs: generated - started, insertMs: inserted - generated, vacuumMs: vacuumed - inserted },
    };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
