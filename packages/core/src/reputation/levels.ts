import type { Actor, TrustRequirement } from '../context.js';
import { isStaff } from '../context.js';

// Trust levels and what they unlock, as pure functions: the policy files and the services ask
// these, and the unit tests beside them pin the rules down.

export const TRUST_LEVEL_NAMES = ['new', 'basic', 'member', 'regular', 'leader'] as const;
export const MAX_TRUST_LEVEL = 4;

/** The level each privilege needs (staff count as trusted for every gate). */
export const UNLOCKS = {
  /** attach a poll to your thread */
  polls: 1,
  /** flags weigh 2 instead of 1 */
  weightyFlags: 2,
  /** retitle and retag other members' threads */
  retitle: 3,
} as const;

/** A level-0 member's post may hold at most this many links. */
export const NEW_MEMBER_MAX_LINKS = 2;

/** True for staff, and for members at `level` or above. */
export function hasTrust(actor: Pick<Actor, 'role' | 'trustLevel'>, level: number): boolean {
  return isStaff(actor.role) || actor.trustLevel >= level;
}

/** What counts toward automatic promotion. */
export interface TrustStats {
  /** live replies in other members' threads */
  replies: number;
  /** their replies accepted as answers in other members' questions */
  accepted: number;
  /** whole days since joining (or since their last suspension ended) */
  days: number;
  /** their flags that staff agreed with */
  agreedFlags: number;
}

/**
 * The highest level whose requirements the stats meet, each level also needing the one below
 * (`levels[0]` is what level 1 needs, `levels[3]` level 4).
 */
export function earnedTrustLevel(stats: TrustStats, levels: readonly TrustRequirement[]): number {
  let level = 0;
  for (const need of levels) {
    const met = stats.replies >= need.replies && stats.accepted >= need.accepted && stats.days >= need.days && stats.agreedFlags >= need.agreedFlags;
    if (!met) break;
    level += 1;
  }
  return Math.min(level, MAX_TRUST_LEVEL);
}

/**
 * The level automatic evaluation sets: it only ever raises (levels are not taken away for
 * inactivity), and leaves a locked level alone. Suspension lowers levels elsewhere.
 */
export function promotedTrustLevel(current: number, locked: boolean, earned: number): number {
  if (locked) return current;
  return Math.max(current, earned);
}

/** How much a member's flag weighs: staff 3, trust level ≥ 2 two, everyone else 1. */
export function flagWeight(actor: Pick<Actor, 'role' | 'trustLevel'>): number {
  if (isStaff(actor.role)) return 3;
  return actor.trustLevel >= UNLOCKS.weightyFlags ? 2 : 1;
}

/** Links in rendered post HTML (every anchor the Markdown produced, bare URLs included). */
export function countLinks(html: string): number {
  return html.match(/<a\s/gi)?.length ?? 0;
}

/** The most links the actor's post may hold, or null for no limit. */
export function maxLinksFor(actor: Pick<Actor, 'role' | 'trustLevel'>): number | null {
  return hasTrust(actor, 1) ? null : NEW_MEMBER_MAX_LINKS;
}
