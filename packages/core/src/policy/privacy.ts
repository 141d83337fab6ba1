import type { Actor } from '../context.js';

export const privacyRules = {
  /** hand a member everything we hold about them: admins, who answer access requests for the company */
  'privacy.export': (actor: Actor, _target: null) => actor.role === 'admin',
  /** erase a member's account and personal data: admins only, since it cannot be undone */
  'privacy.erase': (actor: Actor, _target: null) => actor.role === 'admin',
};
