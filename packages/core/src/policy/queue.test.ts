import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import type { Role } from '../forum/types.js';
import { can } from './index.js';

// The agents' queue in the policy: who may work it, and whose claims they may touch.

const actor = (id: number, role: Role): Actor => ({ id, handle: `u${id}`, displayName: `U${id}`, role, trustLevel: 0, silenced: false });
const member = actor(1, 'member');
const agent = actor(2, 'agent');
const otherAgent = actor(3, 'agent');
const supervisor = actor(4, 'supervisor');
const admin = actor(5, 'admin');

describe('queue rules', () => {
  it('keeps members out of the queue, even off an item nobody holds', () => {
    expect(can(member, 'queue.work', null)).toBe(false);
    expect(can(member, 'queue.resolve', { claimedById: null })).toBe(false);
    expect(can(member, 'queue.release', { claimedById: member.id })).toBe(false);
    for (const staff of [agent, supervisor, admin]) expect(can(staff, 'queue.work', null)).toBe(true);
  });

  it("lets an agent resolve or release only an unheld item or their own claim; supervisors and admins anyone's", () => {
    const heldByAgent = { claimedById: agent.id };
    expect(can(agent, 'queue.resolve', { claimedById: null })).toBe(true);
    expect(can(agent, 'queue.resolve', heldByAgent)).toBe(true);
    expect(can(agent, 'queue.release', heldByAgent)).toBe(true);
    expect(can(otherAgent, 'queue.resolve', heldByAgent)).toBe(false);
    expect(can(otherAgent, 'queue.release', heldByAgent)).toBe(false);
    for (const boss of [supervisor, admin]) {
      expect(can(boss, 'queue.resolve', heldByAgent)).toBe(true);
      expect(can(boss, 'queue.release', heldByAgent)).toBe(true);
    }
  });

  it('lets the asker or staff ask for staff help on a thread', () => {
    expect(can(member, 'queue.request', { authorId: member.id })).toBe(true);
    expect(can(member, 'queue.request', { authorId: 99 })).toBe(false);
    expect(can(agent, 'queue.request', { authorId: 99 })).toBe(true);
  });
});
