import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Actor } from '@forum/core';
import { startModeration } from '../support/apps.js';
import { ApiClient } from '../support/http.js';
import { Clock, createCategory, createMember } from '../support/factories.js';
import { clientAs, expectError, scalar } from '../support/api.js';

// Teams and agents' settings through the console API: who may change what, the calendar's
// validation, and one audit row per change.

let mod: Awaited<ReturnType<typeof startModeration>>;
let sue: Actor;
let ana: Actor;
let bo: Actor;
let sueConsole: ApiClient;
let anaConsole: ApiClient;
let memberConsole: ApiClient;

beforeAll(async () => {
  mod = await startModeration({ clock: new Clock(new Date('2025-06-02T09:00:00.000Z')) });
  [sue, ana, bo] = await Promise.all([
    createMember(mod.db.db, { role: 'supervisor', handle: 'super_sue' }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_ana' }),
    createMember(mod.db.db, { role: 'agent', handle: 'agent_bo' }),
  ]);
  const member = await createMember(mod.db.db);
  [sueConsole, anaConsole, memberConsole] = await Promise.all([
    clientAs(mod, sue, { app: 'moderation' }),
    clientAs(mod, ana, { app: 'moderation' }),
    clientAs(mod, member, { app: 'moderation' }),
  ]);
});
afterAll(async () => mod?.close());

async function audit(subjectType: string, subjectId: number) {
  const { rows } = await mod.db.db.execute<{ actor_id: number; action: string; data: any }>(
    sql`select actor_id, action, data from audit_log where subject_type = ${subjectType} and subject_id = ${subjectId} order by id`,
  );
  return rows;
}

const office = [['09:00', '17:00']];

describe('teams', () => {
  it('lets a supervisor create a team, change its calendar and give it categories, each audited once', async () => {
    const created = await sueConsole.post('/api/teams', { name: 'Billing Europe', timezone: 'Europe/Berlin', hours: { fri: office, mon: office }, holidays: ['2025-12-25'] });
    expect(created.statusCode, created.body).toBe(201);
    const team = created.json().team;
    expect(team).toMatchObject({ slug: 'billing-europe', name: 'Billing Europe', timezone: 'Europe/Berlin', hours: { mon: office, fri: office }, holidays: ['2025-12-25'], autoAssign: true, categories: [], agentCount: 0 });

    const patched = await sueConsole.patch(`/api/teams/${team.id}`, { hours: null, autoAssign: false });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().team).toMatchObject({ hours: null, autoAssign: false, timezone: 'Europe/Berlin' });

    const a = await createCategory(mod.db.db);
    const b = await createCategory(mod.db.db);
    const put = await sueConsole.put(`/api/teams/${team.id}/categories`, { categoryIds: [a.id, b.id] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().team.categories.map((c: any) => c.id).sort()).toEqual([a.id, b.id].sort());
    const narrowed = await sueConsole.put(`/api/teams/${team.id}/categories`, { categoryIds: [b.id] });
    expect(narrowed.json().team.categories.map((c: any) => c.id)).toEqual([b.id]);
    expect(await scalar(mod.db.db, sql`select count(*) from categories where id = ${a.id} and team_id is null`)).toBe(1);

    expect((await audit('team', team.id)).map((r) => [r.action, r.actor_id])).toEqual([
      ['team.created', sue.id],
      ['team.updated', sue.id],
      ['team.categories_set', sue.id],
      ['team.categories_set', sue.id],
    ]);
    const [, updated, , set] = await audit('team', team.id);
    expect(updated.data.before).toMatchObject({ hours: { mon: office, fri: office }, autoAssign: true });
    expect(updated.data.after).toMatchObject({ hours: null, autoAssign: false });
    expect(set.data).toEqual({ before: { categoryIds: [a.id, b.id].sort((x, y) => x - y) }, after: { categoryIds: [b.id] } });

    const listed = await anaConsole.get('/api/teams');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().teams.find((t: any) => t.id === team.id)).toMatchObject({ name: 'Billing Europe' });
  });

  it('answers 400 naming each bad part of a calendar, and changes nothing', async () => {
    const before = await scalar(mod.db.db, sql`select count(*) from teams`);
    const bad = expectError(
      await sueConsole.post('/api/teams', {
        name: 'Nights',
        timezone: 'Europe/Atlantis',
        hours: { mon: [['9:00', '17:00']], tue: [['18:00', '08:00']], wed: [['09:00', '13:00'], ['12:00', '17:00']] },
        holidays: ['2025-13-01'],
      }),
      400,
      'invalid',
      ['timezone', 'hours.mon', 'hours.tue', 'hours.wed', 'holidays.0'],
    );
    expect(bad.fields!['hours.tue']).toMatch(/ends before it starts/);
    expectError(await sueConsole.post('/api/teams', { name: 'Never', hours: { sat: [] } }), 400, 'invalid', ['hours']);
    expectError(await sueConsole.post('/api/teams', { name: 'x'.repeat(81) }), 400, 'invalid_request', ['name']);
    expectError(await sueConsole.post('/api/teams', { name: 'Odd', hours: { funday: office } }), 400, 'invalid_request');
    expect(await scalar(mod.db.db, sql`select count(*) from teams`)).toBe(before);

    const { json } = await sueConsole.post('/api/teams', { name: 'Valid' });
    const id = json().team.id;
    expectError(await sueConsole.patch(`/api/teams/${id}`, { timezone: 'Not/AZone' }), 400, 'invalid', ['timezone']);
    expectError(await sueConsole.put(`/api/teams/${id}/categories`, { categoryIds: [99_999_999] }), 400, 'invalid', ['categoryIds']);
    expectError(await sueConsole.patch('/api/teams/99999999', { name: 'Ghost' }), 404, 'team_not_found');
    expectError(await sueConsole.post('/api/teams', { name: 'Valid' }), 409, 'team_slug_taken');
    expect(await audit('team', id)).toHaveLength(1);
  });

  it('refuses agents (403) and members (403) on changes; strangers get 401', async () => {
    const { json } = await sueConsole.post('/api/teams', { name: 'Locked' });
    const id = json().team.id;
    for (const client of [anaConsole, memberConsole]) {
      expectError(await client.post('/api/teams', { name: 'Mine now' }), 403, 'forbidden');
      expectError(await client.patch(`/api/teams/${id}`, { name: 'Renamed' }), 403, 'forbidden');
      expectError(await client.put(`/api/teams/${id}/categories`, { categoryIds: [] }), 403, 'forbidden');
    }
    expectError(await memberConsole.get('/api/teams'), 403, 'forbidden');
    expectError(await memberConsole.get('/api/agents'), 403, 'forbidden');
    expectError(await new ApiClient(mod.app).get('/api/teams'), 401, 'unauthenticated');
    expect(await audit('team', id)).toHaveLength(1);
  });
});

describe('agents', () => {
  it('lets a supervisor set an agent’s team, capacity and skills; everyone on staff sees them', async () => {
    const { json } = await sueConsole.post('/api/teams', { name: 'Support Americas', timezone: 'America/New_York' });
    const teamId = json().team.id;
    const response = await sueConsole.patch(`/api/agents/${bo.id}`, { teamId, capacity: 7, skills: ['billing', 'sso', 'billing'], onDuty: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().agent).toMatchObject({ user: { id: bo.id, handle: 'agent_bo' }, team: { id: teamId, name: 'Support Americas' }, capacity: 7, skills: ['billing', 'sso'], onDuty: true, openItems: 0 });
    const listed = (await anaConsole.get('/api/agents')).json().agents;
    expect(listed.find((a: any) => a.user.id === bo.id)).toMatchObject({ capacity: 7, onDuty: true });
    // staff without a profile show the defaults; members are not listed
    expect(listed.find((a: any) => a.user.id === sue.id)).toMatchObject({ team: null, onDuty: false, capacity: 5, skills: [] });
    expect(listed.every((a: any) => a.user.staff)).toBe(true);
    const rows = await audit('user', bo.id);
    expect(rows).toEqual([expect.objectContaining({ actor_id: sue.id, action: 'agent.updated', data: { before: null, after: { teamId, onDuty: true, capacity: 7, skills: ['billing', 'sso'] } } })]);
  });

  it('lets an agent set only their own on-duty status', async () => {
    const own = await anaConsole.patch(`/api/agents/${ana.id}`, { onDuty: true });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().agent.onDuty).toBe(true);
    expectError(await anaConsole.patch(`/api/agents/${bo.id}`, { onDuty: false }), 403, 'forbidden');
    expectError(await anaConsole.patch(`/api/agents/${ana.id}`, { capacity: 50 }), 403, 'forbidden');
    expectError(await anaConsole.patch(`/api/agents/${ana.id}`, { onDuty: false, skills: ['all'] }), 403, 'forbidden');
    expectError(await memberConsole.patch(`/api/agents/${ana.id}`, { onDuty: false }), 403, 'forbidden');
    expect((await audit('user', ana.id)).map((r) => [r.action, r.actor_id, r.data.after.onDuty])).toEqual([['agent.updated', ana.id, true]]);
  });

  it('answers 400 for bad capacity, skills or team, and 404 for a member or unknown user', async () => {
    const member = await createMember(mod.db.db);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { capacity: 0 }), 400, 'invalid_request', ['capacity']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { capacity: 51 }), 400, 'invalid_request', ['capacity']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { skills: Array.from({ length: 31 }, (_, i) => `s${i}`) }), 400, 'invalid_request', ['skills']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { skills: ['Billing'] }), 400, 'invalid', ['skills']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { skills: ['two words'] }), 400, 'invalid', ['skills']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, { teamId: 99_999_999 }), 400, 'invalid', ['teamId']);
    expectError(await sueConsole.patch(`/api/agents/${bo.id}`, {}), 400, 'invalid_request');
    expectError(await sueConsole.patch(`/api/agents/${member.id}`, { onDuty: true }), 404, 'agent_not_found');
    expectError(await sueConsole.patch('/api/agents/99999999', { onDuty: true }), 404, 'agent_not_found');
    expect(await audit('user', member.id)).toEqual([]);
  });
});
