// The shapes the badge API returns. The UI imports these as types only.
import type { TagRef, UserRef } from '../forum/types.js';
import type { BadgeTier } from './catalogue.js';

export type { BadgeTier };

export interface BadgeRef {
  slug: string;
  name: string;
  tier: BadgeTier;
}

export interface BadgeSummary extends BadgeRef {
  description: string;
  /** awarded per tag (Expert in ‹tag›) */
  perTag: boolean;
  /** false for badges that lapse when the member stops qualifying (Expert) */
  kept: boolean;
  /** members holding it now */
  holders: number;
}

/** One award on a member's profile. */
export interface MemberBadge {
  id: number;
  badge: BadgeRef;
  tag: TagRef | null;
  grantedAt: string;
  /** `rule`: earned; `staff`: granted by a staff member */
  source: 'rule' | 'staff';
  /** set on a revoked or lapsed award (only in a revoke's answer: profiles list live awards) */
  revokedAt: string | null;
}

export interface BadgeHolder {
  user: UserRef;
  tag: TagRef | null;
  grantedAt: string;
}

export interface TagExpertStanding {
  user: UserRef;
  /** questions in the tag answered within the window in which their answer was accepted */
  accepted: number;
  /** questions in the tag they answered within the window */
  answered: number;
}

export interface TagExperts {
  tag: TagRef;
  /** the Expert rule as configured */
  rule: { minAccepted: number; minRatio: number; windowDays: number };
  expertCount: number;
  experts: Array<TagExpertStanding & { since: string }>;
  /** the best answerers who are not experts of the tag (yet) */
  contenders: Array<TagExpertStanding & { qualifies: boolean }>;
}

export interface BackfillResult {
  awarded: number;
  lapsed: number;
  /** awards made and lapsed per badge */
  byBadge: Record<string, { awarded: number; lapsed: number }>;
  ms: number;
}
