import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export const kbRules = {
  /** publish, edit and remove knowledge-base articles: staff, who vouch for what the company states */
  'kb.manage': (actor: Actor, _target: null) => isStaff(actor.role),
};
