import type { UserRef } from '../forum/types.js';
import type { WeeklyHours } from './schema.js';

export type { WeeklyHours };

/** A team as the console shows it: its calendar (hours null = 24/7) and its categories. */
export interface Team {
  id: number;
  slug: string;
  name: string;
  timezone: string;
  hours: WeeklyHours | null;
  holidays: string[];
  autoAssign: boolean;
  categories: Array<{ id: number; slug: string; name: string }>;
  /** agents whose profile is in this team, and how many of them are on duty */
  agentCount: number;
  onDutyCount: number;
}

/** A staff member's working settings, with how many open items they hold now. */
export interface AgentProfile {
  user: UserRef;
  team: { id: number; slug: string; name: string } | null;
  onDuty: boolean;
  capacity: number;
  skills: string[];
  lastAssignedAt: string | null;
  openItems: number;
}

export interface TeamInput {
  slug?: string;
  name: string;
  timezone?: string;
  hours?: WeeklyHours | null;
  holidays?: string[];
  autoAssign?: boolean;
}

export type TeamPatch = Partial<Omit<TeamInput, 'slug'>>;

export interface AgentPatch {
  teamId?: number | null;
  capacity?: number;
  skills?: string[];
  onDuty?: boolean;
}
