import type { Actor } from '../context.js';
import { isStaff } from '../context.js';

const isSupervisor = (actor: Actor) => actor.role === 'supervisor' || actor.role === 'admin';

/** Whose QA review it is, for the rules that depend on it. */
export interface QaReviewTarget {
  agentId: number;
}

export const dashboardRules = {
  /** the supervisor's dashboard: every agent's numbers */
  'dashboard.view': (actor: Actor, _target: null) => isSupervisor(actor),
  /** an agent's own numbers: any staff member */
  'dashboard.view_own': (actor: Actor, _target: null) => isStaff(actor.role),
  /** draw the weekly QA sample */
  'qa.sample': (actor: Actor, _target: null) => isSupervisor(actor),
  /** read a QA review: supervisors all of them, staff their own */
  'qa.view': (actor: Actor, review: QaReviewTarget) => isSupervisor(actor) || (isStaff(actor.role) && review.agentId === actor.id),
  /** score a review: supervisors, never their own work */
  'qa.score': (actor: Actor, review: QaReviewTarget) => isSupervisor(actor) && review.agentId !== actor.id,
};
