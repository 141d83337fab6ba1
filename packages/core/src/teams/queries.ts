import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { users } from '../accounts/schema.js';
import type { Executor } from '../db/client.js';
import { categories } from '../forum/schema.js';
import { queueItems } from '../queue/schema.js';
import { agentProfiles, teams } from './schema.js';

export type TeamRow = typeof teams.$inferSelect;
export type AgentProfileRow = typeof agentProfiles.$inferSelect;

// Spelled out: in a one-table select Drizzle leaves ${teams.id} unqualified, which a subquery
// over categories would read as its own id.
const teamId = sql.raw('"teams"."id"');
const categoriesOf = sql<Array<{ id: number; slug: string; name: string }>>`coalesce((
  select json_agg(json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) order by c.name)
  from ${categories} c where c.team_id = ${teamId}), '[]'::json)`;
const agentCount = sql<number>`(select count(*) from ${agentProfiles} ap where ap.team_id = ${teamId})`.mapWith(Number);
const onDutyCount = sql<number>`(select count(*) from ${agentProfiles} ap where ap.team_id = ${teamId} and ap.on_duty)`.mapWith(Number);

/** Teams with their categories and agent counts, by name; optionally only some ids. */
export async function listTeamRows(db: Executor, ids?: number[]) {
  return db
    .select({ team: teams, categories: categoriesOf, agentCount, onDutyCount })
    .from(teams)
    .where(ids ? inArray(teams.id, ids) : undefined)
    .orderBy(asc(teams.name), asc(teams.id));
}

export type TeamListRow = Awaited<ReturnType<typeof listTeamRows>>[number];

export async function lockTeam(db: Executor, id: number): Promise<TeamRow | undefined> {
  const [row] = await db.select().from(teams).where(eq(teams.id, id)).for('update');
  return row;
}

export async function teamExists(db: Executor, id: number): Promise<boolean> {
  const [row] = await db.select({ id: teams.id }).from(teams).where(eq(teams.id, id));
  return row !== undefined;
}

export async function existingCategoryIds(db: Executor, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await db.select({ id: categories.id }).from(categories).where(inArray(categories.id, ids));
  return rows.map((r) => r.id);
}

/** Puts exactly these categories in the team: others it had leave it (no team). Returns the ids before. */
export async function setTeamCategories(db: Executor, teamId: number, categoryIds: number[]): Promise<number[]> {
  const before = await db.select({ id: categories.id }).from(categories).where(eq(categories.teamId, teamId)).orderBy(asc(categories.id));
  await db.update(categories).set({ teamId: null }).where(eq(categories.teamId, teamId));
  if (categoryIds.length) await db.update(categories).set({ teamId }).where(inArray(categories.id, categoryIds));
  return before.map((r) => r.id);
}

const openItems = sql<number>`(select count(*) from ${queueItems} qi where qi.claimed_by_id = ${users.id} and qi.status <> 'resolved')`.mapWith(Number);

/** Staff members (not members) with their profile if they have one, by handle; optionally one. */
export async function listAgentRows(db: Executor, userId?: number) {
  return db
    .select({
      id: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: users.role,
      profile: agentProfiles,
      teamSlug: teams.slug,
      teamName: teams.name,
      openItems,
    })
    .from(users)
    .leftJoin(agentProfiles, eq(agentProfiles.userId, users.id))
    .leftJoin(teams, eq(teams.id, agentProfiles.teamId))
    .where(and(ne(users.role, 'member'), userId === undefined ? undefined : eq(users.id, userId)))
    .orderBy(asc(users.handle));
}

export type AgentListRow = Awaited<ReturnType<typeof listAgentRows>>[number];

/** The staff member's role, or undefined for an unknown id; the profile row is locked when there is one. */
export async function lockStaff(db: Executor, userId: number) {
  const [user] = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, userId)).for('update');
  if (!user) return undefined;
  const [profile] = await db.select().from(agentProfiles).where(eq(agentProfiles.userId, userId)).for('update');
  return { ...user, profile };
}

export async function upsertAgentProfile(db: Executor, userId: number, values: Omit<Partial<AgentProfileRow>, 'userId'>): Promise<AgentProfileRow> {
  const [row] = await db
    .insert(agentProfiles)
    .values({ userId, ...values })
    .onConflictDoUpdate({ target: agentProfiles.userId, set: values })
    .returning();
  return row;
}

/**
 * The team's on-duty staff who could take an item, with how many open items each holds, their
 * profile rows locked in id order: two assignments in one team wait for each other instead of
 * both filling the same agent's last free slot.
 */
export async function lockOnDutyAgents(db: Executor, teamId: number) {
  const { rows } = await db.execute<{ user_id: number; capacity: number; skills: string[]; last_assigned_at: string | null; open: string }>(sql`
    select ap.user_id, ap.capacity, ap.skills, ap.last_assigned_at,
      (select count(*) from ${queueItems} qi where qi.claimed_by_id = ap.user_id and qi.status <> 'resolved') as open
    from ${agentProfiles} ap join ${users} u on u.id = ap.user_id
    where ap.team_id = ${teamId} and ap.on_duty and u.role <> 'member'
    order by ap.user_id
    for update of ap`);
  return rows.map((r) => ({
    id: Number(r.user_id),
    capacity: Number(r.capacity),
    skills: r.skills,
    lastAssignedAt: r.last_assigned_at ? new Date(r.last_assigned_at) : null,
    open: Number(r.open),
  }));
}

export async function markAssigned(db: Executor, userId: number, at: Date): Promise<void> {
  await db.update(agentProfiles).set({ lastAssignedAt: at }).where(eq(agentProfiles.userId, userId));
}

/** Supervisors (and admins) to tell about an escalation: the team's when it has any, else all of them. */
export async function listEscalationRecipients(db: Executor, teamId: number | null): Promise<number[]> {
  const supervisors = sql`${users.role} in ('supervisor', 'admin')`;
  if (teamId !== null) {
    const rows = await db
      .select({ id: users.id })
      .from(users)
      .innerJoin(agentProfiles, eq(agentProfiles.userId, users.id))
      .where(and(eq(agentProfiles.teamId, teamId), supervisors))
      .orderBy(asc(users.id));
    if (rows.length) return rows.map((r) => r.id);
  }
  const rows = await db.select({ id: users.id }).from(users).where(supervisors).orderBy(asc(users.id)).limit(100);
  return rows.map((r) => r.id);
}
