import type { CoreConfig } from '../context.js';
import { presentUserRef } from '../forum/present.js';
import type { Role } from '../forum/types.js';
import { BADGES, EXPERT, badgeBySlug, expertDescription, type BadgeDefinition } from './catalogue.js';
import type { AwardChange, AwardRow, TagStandingRow } from './queries.js';
import type { BadgeHolder, BadgeRef, BadgeSummary, MemberBadge, TagExpertStanding } from './types.js';

const TIER_ORDER = { gold: 0, silver: 1, bronze: 2 } as const;
const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

function definition(slug: string): BadgeDefinition {
  // Rows only hold catalogue slugs: grants are checked against it and rules come from it.
  return badgeBySlug(slug) ?? { slug, name: slug, tier: 'bronze', description: '', perTag: false, kept: true };
}

export function presentBadgeRef(slug: string): BadgeRef {
  const { name, tier } = definition(slug);
  return { slug, name, tier };
}

export function presentBadgeSummary(badge: BadgeDefinition, holders: number, config: CoreConfig): BadgeSummary {
  return {
    slug: badge.slug,
    name: badge.name,
    tier: badge.tier,
    description: badge.slug === EXPERT ? expertDescription(config.expert) : badge.description,
    perTag: badge.perTag,
    kept: badge.kept,
    holders,
  };
}

export function presentCatalogue(holders: Map<string, number>, config: CoreConfig): BadgeSummary[] {
  return BADGES.map((b) => presentBadgeSummary(b, holders.get(b.slug) ?? 0, config));
}

export function presentMemberBadge(row: AwardRow): MemberBadge {
  return {
    id: row.id,
    badge: presentBadgeRef(row.badge),
    tag: row.tagSlug && row.tagName ? { slug: row.tagSlug, name: row.tagName } : null,
    grantedAt: iso(row.grantedAt),
    source: row.grantedById === null ? 'rule' : 'staff',
    revokedAt: row.revokedAt ? iso(row.revokedAt) : null,
  };
}

/** A member's live awards: gold, silver, bronze; newest first within a tier, then by name and tag. */
export function presentMemberBadges(rows: AwardRow[]): MemberBadge[] {
  return rows
    .map(presentMemberBadge)
    .sort(
      (a, b) =>
        TIER_ORDER[a.badge.tier] - TIER_ORDER[b.badge.tier] ||
        b.grantedAt.localeCompare(a.grantedAt) ||
        a.badge.name.localeCompare(b.badge.name) ||
        (a.tag?.name ?? '').localeCompare(b.tag?.name ?? ''),
    );
}

export function presentHolder(row: {
  grantedAt: Date;
  userId: number;
  handle: string;
  displayName: string;
  role: Role;
  tagSlug: string | null;
  tagName: string | null;
}): BadgeHolder {
  return {
    user: presentUserRef(row.userId, row.handle, row.displayName, row.role),
    tag: row.tagSlug && row.tagName ? { slug: row.tagSlug, name: row.tagName } : null,
    grantedAt: iso(row.grantedAt),
  };
}

export function presentStanding(row: TagStandingRow): TagExpertStanding {
  return { user: presentUserRef(row.userId, row.handle, row.displayName, row.role), accepted: row.accepted, answered: row.answered };
}

/** The public payload of badges.badge.awarded and badges.badge.revoked. */
export function presentAwardEvent(change: Pick<AwardChange, 'badge' | 'userId' | 'handle' | 'tagSlug' | 'tagName'>) {
  return {
    badge: { ...presentBadgeRef(change.badge), tag: change.tagSlug && change.tagName ? { slug: change.tagSlug, name: change.tagName } : null },
    user: { id: change.userId, handle: change.handle },
  };
}
