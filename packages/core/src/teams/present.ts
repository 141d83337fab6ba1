import { presentUserRef } from '../forum/present.js';
import type { AgentListRow, TeamListRow } from './queries.js';
import type { AgentProfile, Team } from './types.js';

/** Capacity of a staff member who has no profile yet (the table's default). */
export const DEFAULT_CAPACITY = 5;

export function presentTeam(row: TeamListRow): Team {
  const { team } = row;
  return {
    id: team.id,
    slug: team.slug,
    name: team.name,
    timezone: team.timezone,
    hours: team.hours ?? null,
    holidays: team.holidays,
    autoAssign: team.autoAssign,
    categories: row.categories,
    agentCount: row.agentCount,
    onDutyCount: row.onDutyCount,
  };
}

/** A staff member without a profile shows the defaults: no team, off duty. */
export function presentAgent(row: AgentListRow): AgentProfile {
  const p = row.profile;
  return {
    user: presentUserRef(row.id, row.handle, row.displayName, row.role),
    team: p?.teamId && row.teamSlug && row.teamName ? { id: p.teamId, slug: row.teamSlug, name: row.teamName } : null,
    onDuty: p?.onDuty ?? false,
    capacity: p?.capacity ?? DEFAULT_CAPACITY,
    skills: p?.skills ?? [],
    lastAssignedAt: p?.lastAssignedAt ? p.lastAssignedAt.toISOString() : null,
    openItems: row.openItems,
  };
}
