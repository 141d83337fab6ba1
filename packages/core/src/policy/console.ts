import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export const consoleRules = {
  'console.access': (actor: Actor, _target: null) => isStaff(actor.role),
  /** logging in to the console: staff, and product teams (who see only the insights) */
  'console.enter': (actor: Actor, _target: null) => isStaff(actor.role) || actor.role === 'product',
  /** the console's insights: product teams and staff */
  'console.insights': (actor: Actor, _target: null) => isStaff(actor.role) || actor.role === 'product',
  /** the console's supervisor-only routes: canned responses, watched words, approvals, teams, QA */
  'console.supervise': (actor: Actor, _target: null) => actor.role === 'supervisor' || actor.role === 'admin',
  /** the console's admin-only routes: CRM imports (and, later, member export and erasure) */
  'console.administer': (actor: Actor, _target: null) => actor.role === 'admin',
};
