import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export const consoleRules = {
  'console.access': (actor: Actor, _target: null) => isStaff(actor.role),
};
