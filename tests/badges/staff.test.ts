import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { badges, type Actor } from '@forum/core';
import { startForum, type TestForum } from '../support/apps.js';
import { expectError, signedIn } from '../support/api.js';
import { Clock, createCategory, createReply, createThread, ctxFor, relaxedConfig } from '../support/factories.js';
import { ApiClient } from '../support/http.js';
import { badgeEvents, badgesOf, lastEventId, runJobs } from './support.js';

// Staff grant and revoke badges by hand, with a reason; both are audited and announced. Members,
// visitors and bad input are refused without writing anything.

type Signed = { actor: Actor; client: ApiClient };

let forum: TestForum;
let agent: Signed;
let admin: Signed;
let maya: Signed;
let other: Signed;
let anonymous: ApiClient;

beforeAll(async () => {
  forum = await startForum({ jobs: false });
  await createCategory(forum.db.db, { slug: 'help', tags: ['billing', 'api'] });
  [agent, admin, maya, other] = await Promise.all([
    signedIn(forum, { role: 'agent' }),
    signedIn(forum, { role: 'admin' }),
    signedIn(forum),
    signedIn(forum),
  ]);
  anonymous = new ApiClient(forum.app);
});
afterAll(async () => forum?.close());

const db = () => forum.db.db;
const jobs = () => runJobs(db(), forum.clock);

async function counts() {
  const { rows } = await db().execute<{ awards: number; audit: number; events: number }>(sql`
    select (select count(*) from user_badges)::int as awards, (select count(*) from audit_log)::int as audit,
           (select count(*) from events)::int as events`);
  return rows[0];
}

async function auditRows(subjectId: number) {
  const { rows } = await db().execute<{ actor_id: number; action: string; subject_type: string; reason: string; data: Record<string, unknown> }>(
    sql`select actor_id, action, subject_type, reason, data from audit_log where subject_id = ${subjectId} and action like 'badge.%' order by id`,
  );
  return rows;
}

const grant = (client: ApiClient, handle: string, body: Record<string, unknown>) => client.post(`/api/users/${handle}/badges`, body);
const revoke = (client: ApiClient, handle: string, id: number, body: Record<string, unknown>) => client.post(`/api/users/${handle}/badges/${id}/revoke`, body);

describe('POST /api/users/:handle/badges (grant)', () => {
  it('grants a badge with a reason: audited, announced to the member, shown on their profile', async () => {
    const before = await lastEventId(db());
    const response = await grant(agent.client, maya.actor.handle, { badge: 'helpful', reason: '  Ran the migration help desk all week  ' });
    expect(response.statusCode, response.body).toBe(201);
    const { badge } = response.json();
    expect(badge).toMatchObject({ badge: { slug: 'helpful', name: 'Helpful', tier: 'silver' }, tag: null, source: 'staff', revokedAt: null });
    expect(await auditRows(maya.actor.id)).toEqual([
      {
        actor_id: agent.actor.id,
        action: 'badge.granted',
        subject_type: 'user',
        reason: 'Ran the migration help desk all week',
        data: { userBadgeId: badge.id, badge: 'helpful', tag: null },
      },
    ]);
    expect((await badgeEvents(db(), before)).map((e) => [e.name, e.rooms, e.payload.badge.slug, e.payload.user.handle])).toEqual([
      ['badges.badge.awarded', [`user:${maya.actor.id}`], 'helpful', maya.actor.handle],
    ]);
    const profile = await anonymous.get(`/api/users/${maya.actor.handle}`);
    expect(profile.statusCode, profile.body).toBe(200);
    expect(profile.json().badges).toEqual([badge]);
  });

  it('grants Expert in a tag, which the rules never lapse', async () => {
    const response = await grant(admin.client, maya.actor.handle, { badge: 'expert', tag: 'billing', reason: 'Billing lead at a partner' });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().badge).toMatchObject({ badge: { slug: 'expert', tier: 'gold' }, tag: { slug: 'billing', name: 'billing' }, source: 'staff' });
    const muchLater = new Clock(new Date(forum.clock.now().getTime() + 400 * 86_400_000));
    await badges.sweepExperts(ctxFor(db(), null, muchLater));
    await badges.backfillBadges(ctxFor(db(), null, muchLater));
    expect(await badgesOf(db(), maya.actor)).toContain('expert:billing');
  });

  it('answers 409 badge_already_held for a badge (and tag) the member holds, and writes nothing', async () => {
    const before = await counts();
    expectError(await grant(agent.client, maya.actor.handle, { badge: 'helpful', reason: 'Again, why not' }), 409, 'badge_already_held');
    expectError(await grant(agent.client, maya.actor.handle, { badge: 'expert', tag: 'billing', reason: 'Again, why not' }), 409, 'badge_already_held');
    expect(await counts()).toEqual(before);
    // another tag is another award
    expect((await grant(agent.client, maya.actor.handle, { badge: 'expert', tag: 'api', reason: 'Wrote our API guide' })).statusCode).toBe(201);
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ badge: 'legend', reason: 'Because' }, 'invalid', 'badge'],
      [{ badge: 'expert', reason: 'Because' }, 'invalid', 'tag'],
      [{ badge: 'expert', tag: 'no-such-tag', reason: 'Because' }, 'invalid', 'tag'],
      [{ badge: 'first_answer', tag: 'billing', reason: 'Because' }, 'invalid', 'tag'],
      [{ badge: 'helpful', reason: '  a  ' }, 'invalid', 'reason'],
      [{ badge: 'helpful', reason: 'ab' }, 'invalid_request', 'reason'],
      [{ badge: 'helpful', reason: 'x'.repeat(501) }, 'invalid_request', 'reason'],
      [{ badge: 'helpful' }, 'invalid_request', 'reason'],
      [{ reason: 'Because' }, 'invalid_request', 'badge'],
      [{ badge: 'Not A Slug!', reason: 'Because' }, 'invalid_request', 'badge'],
      [{ badge: 'helpful', reason: 'Because', points: 10 }, 'invalid_request', 'points'],
    ];
    for (const [body, code, field] of cases) {
      const error = expectError(await grant(agent.client, other.actor.handle, body), 400, code);
      expect(Object.keys(error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses members (403), visitors (401), staff on themselves (403) and unknown members (404)', async () => {
    const before = await counts();
    const body = { badge: 'helpful', reason: 'I deserve it' };
    expectError(await grant(maya.client, other.actor.handle, body), 403, 'forbidden');
    expectError(await grant(maya.client, 'nobody_here', body), 403, 'forbidden');
    expectError(await grant(anonymous, other.actor.handle, body), 401, 'unauthenticated');
    expectError(await grant(agent.client, agent.actor.handle, body), 403, 'forbidden');
    expectError(await grant(agent.client, 'nobody_here', body), 404, 'member_not_found');
    expect(await counts()).toEqual(before);
  });
});

describe('POST /api/users/:handle/badges/:badgeId/revoke', () => {
  it('revokes with a reason: audited, announced, gone from the profile; a second revoke is 409', async () => {
    const granted = (await grant(agent.client, other.actor.handle, { badge: 'welcomer', reason: 'Greets every newcomer' })).json().badge;
    const before = await lastEventId(db());
    const response = await revoke(admin.client, other.actor.handle, granted.id, { reason: 'Granted to the wrong account' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().badge).toMatchObject({ id: granted.id, badge: { slug: 'welcomer' }, revokedAt: forum.clock.now().toISOString() });
    expect((await auditRows(other.actor.id)).map((a) => [a.action, a.actor_id, a.reason])).toEqual([
      ['badge.granted', agent.actor.id, 'Greets every newcomer'],
      ['badge.revoked', admin.actor.id, 'Granted to the wrong account'],
    ]);
    expect((await badgeEvents(db(), before)).map((e) => [e.name, e.rooms, e.payload.badge.slug])).toEqual([
      ['badges.badge.revoked', [`user:${other.actor.id}`], 'welcomer'],
    ]);
    expect((await anonymous.get(`/api/users/${other.actor.handle}/badges`)).json().badges).toEqual([]);
    const counted = await counts();
    expectError(await revoke(admin.client, other.actor.handle, granted.id, { reason: 'Once more' }), 409, 'badge_not_held');
    expect(await counts()).toEqual(counted);
  });

  it('refuses members, visitors, awards of someone else (404) and a missing reason, writing nothing', async () => {
    const award = (await grant(agent.client, other.actor.handle, { badge: 'poll_starter', reason: 'Ran the roadmap poll' })).json().badge;
    const before = await counts();
    expectError(await revoke(maya.client, other.actor.handle, award.id, { reason: 'Not fair' }), 403, 'forbidden');
    expectError(await revoke(anonymous, other.actor.handle, award.id, { reason: 'Not fair' }), 401, 'unauthenticated');
    expectError(await revoke(agent.client, maya.actor.handle, award.id, { reason: 'Wrong member' }), 404, 'badge_not_found');
    expectError(await revoke(agent.client, other.actor.handle, 999_999, { reason: 'No such award' }), 404, 'badge_not_found');
    expectError(await revoke(agent.client, other.actor.handle, award.id, {}), 400, 'invalid_request', ['reason']);
    expectError(await revoke(agent.client, other.actor.handle, award.id, { reason: '   ' }), 400, 'invalid', ['reason']);
    expect(await counts()).toEqual(before);
  });

  it('keeps the rules from awarding a staff-revoked badge again, until staff grant it again', async () => {
    const { actor: sam } = await signedIn(forum);
    const asker = (await signedIn(forum)).actor;
    await createThread(db(), asker, { category: 'help', kind: 'discussion', clock: forum.clock });
    const { thread } = await createThread(db(), asker, { category: 'help', clock: forum.clock });
    await createReply(db(), sam, thread.id, 'Answer one.', forum.clock);
    await jobs();
    const [earned] = (await anonymous.get(`/api/users/${sam.handle}/badges`)).json().badges;
    expect(earned).toMatchObject({ badge: { slug: 'first_answer' }, source: 'rule' });

    expect((await revoke(agent.client, sam.handle, earned.id, { reason: 'Answer was copied from elsewhere' })).statusCode).toBe(200);
    await createReply(db(), sam, thread.id, 'Answer two, my own words.', forum.clock);
    await jobs();
    await badges.backfillBadges({ db: db(), now: forum.clock.now, config: relaxedConfig });
    expect(await badgesOf(db(), sam)).toEqual([]);

    expect((await grant(agent.client, sam.handle, { badge: 'first_answer', reason: 'Cleared after review' })).statusCode).toBe(201);
    expect(await badgesOf(db(), sam)).toEqual(['first_answer']);
  });
});
