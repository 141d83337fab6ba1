import type { Actor } from '../context.js';
import { isStaff } from '../context.js';
import type { Role } from '../forum/types.js';

export interface MemberTarget {
  id: number;
  role: Role;
}

// Staff act on members, never on other staff or themselves: a sanction on a staff account is a
// role change, which is not done here.
const onMember = (actor: Actor, member: MemberTarget) => isStaff(actor.role) && member.role === 'member' && actor.id !== member.id;

export const memberRules = {
  /** set and lock (or unlock) a member's trust level */
  'member.trust_level': (actor: Actor, member: MemberTarget) => actor.role === 'admin' && member.role === 'member',
  'member.silence': onMember,
  'member.suspend': onMember,
  /** see a member's silence and suspension on their profile */
  'member.inspect': (actor: Actor, _member: MemberTarget) => isStaff(actor.role),
};
