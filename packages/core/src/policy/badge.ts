import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

/** The member whose badges are granted or revoked. */
export interface BadgeHolderTarget {
  id: number;
}

// Staff grant and revoke badges by hand (both audited); nobody awards or removes their own.
const staffOnOthers = (actor: Actor, holder: BadgeHolderTarget) => isStaff(actor.role) && actor.id !== holder.id;

export const badgeRules = {
  'badge.grant': staffOnOthers,
  'badge.revoke': staffOnOthers,
};
