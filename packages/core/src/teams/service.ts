import { eq } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import { isStaff } from '../context.js';
import { recordAudit } from '../audit/service.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { enqueueJob } from '../events/jobs.js';
import { appendEvent } from '../events/outbox.js';
import { authorize } from '../policy/index.js';
import { validateCalendar } from './calendar.js';
import { presentAgent, presentTeam } from './present.js';
import * as q from './queries.js';
import { teams } from './schema.js';
import type { AgentPatch, AgentProfile, Team, TeamInput, TeamPatch } from './types.js';

// Teams own categories: their calendars time the SLA of those categories' queue items, and
// their on-duty agents receive them by automatic assignment. Supervisors and admins change
// them; every staff member may read them and set their own on-duty status.

export const TEAM_NAME_MAX = 80;
export const SKILLS_MAX = 30;
export const CAPACITY_MAX = 50;
const SKILL = /^[a-z0-9][a-z0-9-]{0,39}$/;
const SLUG = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Job kind that hands a team's waiting items to its on-duty agents (queue/service.ts runs it). */
export const ASSIGN_TEAM_JOB = 'queue.auto_assign_team';

// The console's room: settings changes show on every open console.
const QUEUE = 'queue';

const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'team';

async function presentTeamById(tx: Executor, id: number): Promise<Team> {
  const [row] = await q.listTeamRows(tx, [id]);
  if (!row) throw new NotFound('Team', 'team_not_found');
  return presentTeam(row);
}

async function presentAgentById(tx: Executor, userId: number): Promise<AgentProfile> {
  const [row] = await q.listAgentRows(tx, userId);
  if (!row) throw new NotFound('Agent', 'agent_not_found');
  return presentAgent(row);
}

const snapshotTeam = (t: q.TeamRow) => ({ name: t.name, timezone: t.timezone, hours: t.hours, holidays: t.holidays, autoAssign: t.autoAssign });

function checkName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > TEAM_NAME_MAX) throw new Invalid({ name: `must be 1 to ${TEAM_NAME_MAX} characters` });
  return trimmed;
}

/** Every team with its calendar, categories and agent counts (staff; Forbidden otherwise). */
export async function listTeams(ctx: Ctx): Promise<{ teams: Team[] }> {
  authorize(ctx.actor, 'console.access', null);
  return { teams: (await q.listTeamRows(ctx.db)).map(presentTeam) };
}

/**
 * Creates a team (supervisors and admins; Forbidden otherwise). Invalid for a bad name or
 * calendar (fields timezone, hours.mon, holidays.0 …), Conflict team_slug_taken. Audited as
 * team.created; emits teams.team.updated.
 */
export async function createTeam(ctx: Ctx, input: TeamInput): Promise<Team> {
  const actor = authorize(ctx.actor, 'teams.manage', null);
  const name = checkName(input.name)!;
  const slug = input.slug ?? slugify(name);
  if (!SLUG.test(slug)) throw new Invalid({ slug: 'must be lower-case letters, digits and dashes (up to 40)' });
  const calendar = validateCalendar({ timezone: input.timezone ?? 'UTC', hours: input.hours ?? null, holidays: input.holidays ?? [] });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(teams)
      .values({ slug, name, timezone: calendar.timezone, hours: calendar.hours, holidays: [...calendar.holidays], autoAssign: input.autoAssign ?? true, createdAt: now })
      .onConflictDoNothing({ target: teams.slug })
      .returning();
    if (!row) throw new Conflict('team_slug_taken', `A team with the slug “${slug}” exists already`);
    await recordAudit(tx, { actorId: actor.id, action: 'team.created', subjectType: 'team', subjectId: row.id, data: { before: null, after: snapshotTeam(row) }, at: now });
    const team = await presentTeamById(tx, row.id);
    await appendEvent(tx, 'teams.team.updated', [QUEUE], { team });
    return team;
  });
}

/**
 * Changes a team's name, calendar or automatic assignment (supervisors and admins). Open items
 * keep the due time they got when they opened; new items use the new calendar. NotFound,
 * Invalid as createTeam. Audited as team.updated; emits teams.team.updated.
 */
export async function updateTeam(ctx: Ctx, id: number, patch: TeamPatch): Promise<Team> {
  const actor = authorize(ctx.actor, 'teams.manage', null);
  const name = checkName(patch.name);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const before = await q.lockTeam(tx, id);
    if (!before) throw new NotFound('Team', 'team_not_found');
    const calendar = validateCalendar({
      timezone: patch.timezone ?? before.timezone,
      hours: patch.hours === undefined ? (before.hours ?? null) : patch.hours,
      holidays: patch.holidays ?? before.holidays,
    });
    const [after] = await tx
      .update(teams)
      .set({ name: name ?? before.name, timezone: calendar.timezone, hours: calendar.hours, holidays: [...calendar.holidays], autoAssign: patch.autoAssign ?? before.autoAssign })
      .where(eq(teams.id, id))
      .returning();
    await recordAudit(tx, { actorId: actor.id, action: 'team.updated', subjectType: 'team', subjectId: id, data: { before: snapshotTeam(before), after: snapshotTeam(after) }, at: now });
    const team = await presentTeamById(tx, id);
    await appendEvent(tx, 'teams.team.updated', [QUEUE], { team });
    if (!before.autoAssign && after.autoAssign) await enqueueJob(tx, ASSIGN_TEAM_JOB, { teamId: id });
    return team;
  });
}

/**
 * Puts exactly these categories in the team (supervisors and admins); categories it had and
 * that are not listed leave it, and a category in another team moves. NotFound for the team,
 * Invalid (fields.categoryIds) for unknown categories. Audited as team.categories_set; emits
 * teams.team.updated.
 */
export async function setTeamCategories(ctx: Ctx, id: number, input: { categoryIds: number[] }): Promise<Team> {
  const actor = authorize(ctx.actor, 'teams.manage', null);
  const wanted = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    if (!(await q.lockTeam(tx, id))) throw new NotFound('Team', 'team_not_found');
    const known = new Set(await q.existingCategoryIds(tx, wanted));
    const unknown = wanted.filter((c) => !known.has(c));
    if (unknown.length) throw new Invalid({ categoryIds: `has unknown categories: ${unknown.join(', ')}` });
    const before = await q.setTeamCategories(tx, id, wanted);
    await recordAudit(tx, { actorId: actor.id, action: 'team.categories_set', subjectType: 'team', subjectId: id, data: { before: { categoryIds: before }, after: { categoryIds: wanted } }, at: now });
    const team = await presentTeamById(tx, id);
    await appendEvent(tx, 'teams.team.updated', [QUEUE], { team });
    return team;
  });
}

/** Every staff member with their working settings and open items (staff; Forbidden otherwise). */
export async function listAgents(ctx: Ctx): Promise<{ agents: AgentProfile[] }> {
  authorize(ctx.actor, 'console.access', null);
  return { agents: (await q.listAgentRows(ctx.db)).map(presentAgent) };
}

function checkAgentPatch(patch: AgentPatch): AgentPatch {
  const fields: Record<string, string> = {};
  if (patch.capacity !== undefined && (!Number.isInteger(patch.capacity) || patch.capacity < 1 || patch.capacity > CAPACITY_MAX)) {
    fields.capacity = `must be a whole number from 1 to ${CAPACITY_MAX}`;
  }
  let skills: string[] | undefined;
  if (patch.skills !== undefined) {
    skills = [...new Set(patch.skills.map((s) => s.trim()))];
    if (skills.length > SKILLS_MAX) fields.skills = `may list at most ${SKILLS_MAX} skills`;
    else {
      const bad = skills.find((s) => !SKILL.test(s));
      if (bad !== undefined) fields.skills = `must be lower-case words (letters, digits, dashes; up to 40): ${JSON.stringify(bad).slice(0, 50)}`;
    }
  }
  if (Object.keys(fields).length) throw new Invalid(fields);
  return { ...patch, skills };
}

/**
 * Changes a staff member's working settings. Supervisors and admins change anything; any staff
 * member may set only their own on-duty status (Forbidden for the rest). NotFound
 * agent_not_found for an unknown user or a member; Invalid for capacity (1–50), skills (≤ 30
 * lower-case words) or an unknown teamId. Going on duty hands the team's waiting items out.
 * Audited as agent.updated; emits teams.agent.updated.
 */
export async function updateAgent(ctx: Ctx, userId: number, input: AgentPatch): Promise<AgentProfile> {
  const actor = authorize(ctx.actor, 'console.access', null);
  const onlyDuty = Object.keys(input).every((k) => k === 'onDuty' || (input as Record<string, unknown>)[k] === undefined);
  authorize(actor, onlyDuty ? 'agents.duty' : 'agents.manage', { userId });
  const patch = checkAgentPatch(input);
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const staff = await q.lockStaff(tx, userId);
    if (!staff || !isStaff(staff.role)) throw new NotFound('Agent', 'agent_not_found');
    if (patch.teamId !== undefined && patch.teamId !== null && !(await q.teamExists(tx, patch.teamId))) {
      throw new Invalid({ teamId: 'is not a team' });
    }
    const before = staff.profile;
    const values = Object.fromEntries(Object.entries({ teamId: patch.teamId, capacity: patch.capacity, skills: patch.skills, onDuty: patch.onDuty }).filter(([, v]) => v !== undefined));
    const after = await q.upsertAgentProfile(tx, userId, values);
    await audit(tx, actor, userId, before, after, now);
    const agent = await presentAgentById(tx, userId);
    await appendEvent(tx, 'teams.agent.updated', [QUEUE], { agent });
    const becameAvailable = after.onDuty && (!before?.onDuty || before.teamId !== after.teamId || before.capacity < after.capacity);
    if (becameAvailable && after.teamId !== null) await enqueueJob(tx, ASSIGN_TEAM_JOB, { teamId: after.teamId });
    return agent;
  });
}

const snapshotAgent = (p: q.AgentProfileRow | undefined) =>
  p ? { teamId: p.teamId, onDuty: p.onDuty, capacity: p.capacity, skills: p.skills } : null;

async function audit(tx: Executor, actor: Actor, userId: number, before: q.AgentProfileRow | undefined, after: q.AgentProfileRow, at: Date) {
  await recordAudit(tx, { actorId: actor.id, action: 'agent.updated', subjectType: 'user', subjectId: userId, data: { before: snapshotAgent(before), after: snapshotAgent(after) }, at });
}
