import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import { Forbidden } from '../errors.js';
import type { Role } from '../forum/types.js';
import { authorize, can, threadAbilities } from './index.js';

// Trust levels and silences in the policy: who may do what.

const actor = (id: number, options: { role?: Role; trustLevel?: number; silenced?: boolean } = {}): Actor => ({
  id,
  handle: `u${id}`,
  displayName: `U${id}`,
  role: options.role ?? 'member',
  trustLevel: options.trustLevel ?? 1,
  silenced: options.silenced ?? false,
});
const author = actor(1);
const thread = { authorId: author.id, status: 'open', kind: 'question' } as const;
const post = { authorId: author.id, position: 2, deleted: false };

function refusal(fn: () => unknown): Forbidden {
  try {
    fn();
  } catch (error) {
    return error as Forbidden;
  }
  throw new Error('expected a refusal');
}

describe('a silenced member', () => {
  const silenced = actor(2, { trustLevel: 4, silenced: true });

  it('may not post, reply, edit, vote, flag, cast a ballot or add a poll', () => {
    expect(can(silenced, 'thread.create', null)).toBe(false);
    expect(can(silenced, 'post.create', null)).toBe(false);
    expect(can(silenced, 'thread.reply', thread)).toBe(false);
    expect(can(silenced, 'post.vote', post)).toBe(false);
    expect(can(silenced, 'post.flag', post)).toBe(false);
    expect(can(silenced, 'poll.vote', { closed: false })).toBe(false);
    expect(can(silenced, 'post.edit', { ...post, authorId: silenced.id })).toBe(false);
    expect(can(silenced, 'thread.edit', { ...thread, authorId: silenced.id })).toBe(false);
    expect(can(silenced, 'poll.create', { ...thread, authorId: silenced.id })).toBe(false);
  });

  it('still may delete their own posts', () => {
    expect(can(silenced, 'post.delete', { ...post, authorId: silenced.id })).toBe(true);
  });

  it('is refused with the code member_silenced and a message that says so', () => {
    const error = refusal(() => authorize(silenced, 'thread.reply', thread));
    expect(error.code).toBe('member_silenced');
    expect(error.message).toMatch(/silenced/);
  });

  it('is refused for the ordinary reason when silence is not what stops them', () => {
    const closed = refusal(() => authorize(silenced, 'thread.reply', { ...thread, status: 'closed' }));
    expect(closed.code).toBe('forbidden');
    expect(closed.message).toBe('This thread is closed');
    expect(refusal(() => authorize({ ...silenced, id: author.id }, 'post.vote', post)).code).toBe('forbidden');
  });

  it('sees no reply or vote buttons', () => {
    expect(threadAbilities(silenced, thread)).toMatchObject({ reply: false, vote: false });
  });
});

describe('trust levels in the policy', () => {
  it('polls: the thread author from level 1, staff always', () => {
    expect(can({ ...author, trustLevel: 0 }, 'poll.create', thread)).toBe(false);
    expect(can({ ...author, trustLevel: 1 }, 'poll.create', thread)).toBe(true);
    expect(can(actor(5, { trustLevel: 4 }), 'poll.create', thread)).toBe(false);
    expect(can(actor(6, { role: 'agent', trustLevel: 0 }), 'poll.create', thread)).toBe(true);
    expect(refusal(() => authorize({ ...author, trustLevel: 0 }, 'poll.create', thread)).message).toMatch(/trust level 0/);
  });

  it('retitling other members’ threads: from level 3, not on closed threads', () => {
    expect(can(actor(5, { trustLevel: 2 }), 'thread.edit', thread)).toBe(false);
    expect(can(actor(5, { trustLevel: 3 }), 'thread.edit', thread)).toBe(true);
    expect(can(actor(5, { trustLevel: 4 }), 'thread.edit', { ...thread, status: 'closed' })).toBe(false);
  });

  it('editing someone else’s post body stays with its author and staff, whatever the level', () => {
    expect(can(actor(5, { trustLevel: 4 }), 'post.edit', post)).toBe(false);
  });
});

describe('flags', () => {
  it('members flag others’ posts, not their own or deleted ones; staff review', () => {
    const member = actor(5, { trustLevel: 0 });
    expect(can(member, 'post.flag', post)).toBe(true);
    expect(can(author, 'post.flag', post)).toBe(false);
    expect(can(member, 'post.flag', { ...post, deleted: true })).toBe(false);
    expect(refusal(() => authorize(author, 'post.flag', post)).message).toBe('You cannot flag your own post');
    expect(can(member, 'flag.review', null)).toBe(false);
    expect(can(actor(6, { role: 'agent' }), 'flag.review', null)).toBe(true);
  });
});

describe('staff actions on members', () => {
  const member = { id: 5, role: 'member' } as const;
  const agent = actor(10, { role: 'agent' });
  const supervisor = actor(11, { role: 'supervisor' });
  const admin = actor(12, { role: 'admin' });

  it('trust levels are set by admins, on members only', () => {
    expect(can(admin, 'member.trust_level', member)).toBe(true);
    expect(can(supervisor, 'member.trust_level', member)).toBe(false);
    expect(can(admin, 'member.trust_level', { id: agent.id, role: 'agent' })).toBe(false);
  });

  it('silences and suspensions are for staff, on members, never on themselves', () => {
    for (const action of ['member.silence', 'member.suspend'] as const) {
      for (const s of [agent, supervisor, admin]) expect(can(s, action, member)).toBe(true);
      expect(can(actor(7, { trustLevel: 4 }), action, member)).toBe(false);
      expect(can(admin, action, { id: agent.id, role: 'agent' })).toBe(false);
      expect(can(agent, action, { id: agent.id, role: 'member' })).toBe(false);
    }
  });
});
