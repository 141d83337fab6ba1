import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import { Forbidden, Unauthenticated } from '../errors.js';
import type { Role } from '../forum/types.js';
import { authorize, can, isStaff, postAbilities, threadAbilities, type ThreadTarget } from './index.js';

const actor = (id: number, role: Role = 'member'): Actor => ({ id, handle: `u${id}`, displayName: `U${id}`, role, trustLevel: 1, silenced: false });
const author = actor(1);
const stranger = actor(2);
const agent = actor(3, 'agent');
const question = (status: ThreadTarget['status'] = 'answered'): ThreadTarget => ({ authorId: author.id, status, kind: 'question' });

describe('isStaff', () => {
  it('is true for agents, supervisors and admins only', () => {
    expect(isStaff('member')).toBe(false);
    expect(isStaff('agent')).toBe(true);
    expect(isStaff('supervisor')).toBe(true);
    expect(isStaff('admin')).toBe(true);
  });
});

describe('can', () => {
  it('refuses every action to an anonymous actor', () => {
    expect(can(null, 'thread.create', null)).toBe(false);
    expect(can(null, 'thread.reply', question())).toBe(false);
    expect(can(null, 'post.vote', { authorId: 1, position: 2, deleted: false })).toBe(false);
    expect(can(null, 'console.access', null)).toBe(false);
  });

  it('looks the rule up by action', () => {
    expect(can(author, 'thread.edit', question())).toBe(true);
    expect(can(stranger, 'thread.edit', question())).toBe(false);
  });
});

describe('console.access', () => {
  it('is for staff only', () => {
    expect(can(stranger, 'console.access', null)).toBe(false);
    for (const role of ['agent', 'supervisor', 'admin'] as const) expect(can(actor(9, role), 'console.access', null)).toBe(true);
  });
});

describe('authorize', () => {
  it('returns the actor when the rule allows', () => {
    expect(authorize(author, 'thread.close', question())).toBe(author);
  });

  it('throws Unauthenticated for an anonymous actor', () => {
    expect(() => authorize(null, 'thread.create', null)).toThrow(Unauthenticated);
  });

  it('throws Forbidden with a message that says why', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error as Forbidden;
      }
      throw new Error('expected a refusal');
    };
    const closed = refusal(() => authorize(stranger, 'thread.reply', question('closed')));
    expect(closed).toBeInstanceOf(Forbidden);
    expect(closed.code).toBe('forbidden');
    expect(closed.message).toBe('This thread is closed');

    expect(refusal(() => authorize(author, 'post.vote', { authorId: author.id, position: 2, deleted: false })).message).toBe(
      'You cannot vote on your own post',
    );
    expect(refusal(() => authorize(author, 'thread.accept', { ...question(), kind: 'discussion' })).message).toBe(
      'Only questions have accepted answers',
    );
    expect(refusal(() => authorize(stranger, 'console.access', null)).message).toBe(
      'The moderation console is for agents, supervisors and admins',
    );
    expect(refusal(() => authorize(stranger, 'thread.edit', question())).message).toBe('You are not allowed to do that');
  });
});

describe('threadAbilities', () => {
  it('gives an anonymous viewer no buttons', () => {
    expect(threadAbilities(null, question())).toEqual({
      reply: false, edit: false, delete: false, accept: false, close: false, reopen: false, vote: false,
    });
  });

  it('gives the author of an open question everything but reopen', () => {
    expect(threadAbilities(author, question('open'))).toEqual({
      reply: true, edit: true, delete: true, accept: true, close: true, reopen: false, vote: true,
    });
  });

  it('gives another member only reply and vote', () => {
    expect(threadAbilities(stranger, question())).toEqual({
      reply: true, edit: false, delete: false, accept: false, close: false, reopen: false, vote: true,
    });
  });

  it('gives staff on a closed thread reopen, edit and delete but not reply or accept', () => {
    expect(threadAbilities(agent, question('closed'))).toEqual({
      reply: false, edit: true, delete: true, accept: false, close: false, reopen: true, vote: true,
    });
  });
});

describe('postAbilities', () => {
  const reply = { authorId: stranger.id, position: 2, deleted: false };

  it('lets the question author accept a reply but not the question itself', () => {
    expect(postAbilities(author, reply, question()).accept).toBe(true);
    expect(postAbilities(author, { authorId: author.id, position: 1, deleted: false }, question()).accept).toBe(false);
  });

  it('offers nothing on a deleted reply', () => {
    expect(postAbilities(author, { ...reply, deleted: true }, question())).toEqual({ edit: false, delete: false, vote: false, accept: false });
  });

  it('lets the reply author edit and delete but not vote or accept', () => {
    expect(postAbilities(stranger, reply, question())).toEqual({ edit: true, delete: true, vote: false, accept: false });
  });

  it('offers accept on no post of a discussion', () => {
    expect(postAbilities(author, reply, { ...question(), kind: 'discussion' }).accept).toBe(false);
  });

  it('gives an anonymous viewer nothing', () => {
    expect(postAbilities(null, reply, question())).toEqual({ edit: false, delete: false, vote: false, accept: false });
  });
});
