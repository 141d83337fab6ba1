import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export const moderationRules = {
  /** hide or restore a post, close, reopen, pin, move or merge a thread from the console */
  'moderation.act': (actor: Actor, _target: null) => isStaff(actor.role),
  /** read the audit log (it is append-only: nobody may change it) */
  'audit.read': (actor: Actor, _target: null) => isStaff(actor.role),
};
