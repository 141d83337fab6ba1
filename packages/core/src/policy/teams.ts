import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

const isSupervisor = (actor: Actor) => actor.role === 'supervisor' || actor.role === 'admin';

export const teamRules = {
  /** create teams, change their calendars and categories */
  'teams.manage': (actor: Actor, _target: null) => isSupervisor(actor),
  /** change an agent's team, capacity and skills */
  'agents.manage': (actor: Actor, _target: { userId: number }) => isSupervisor(actor),
  /** go on or off duty: oneself (any staff), or anyone for a supervisor */
  'agents.duty': (actor: Actor, target: { userId: number }) => isStaff(actor.role) && (actor.id === target.userId || isSupervisor(actor)),
  /** hand a queue item to an agent */
  'queue.assign': (actor: Actor, _target: null) => isSupervisor(actor),
};
