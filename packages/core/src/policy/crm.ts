import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

export const crmRules = {
  /** search the CRM and read a customer's profile: staff only; customers never see CRM data */
  'crm.view': (actor: Actor, _target: null) => isStaff(actor.role),
  /** link a member to a CRM contact, unlink, reject a suggestion: agents' daily work */
  'crm.link': (actor: Actor, _target: null) => isStaff(actor.role),
  /** load a contacts export into the directory: admins, who own the company's customer data */
  'crm.import': (actor: Actor, _target: null) => actor.role === 'admin',
};
