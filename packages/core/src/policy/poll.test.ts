import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import type { Role } from '../forum/types.js';
import { pollAbilities } from './index.js';
import { pollRules } from './poll.js';

const actor = (id: number, role: Role = 'member'): Actor => ({ id, handle: `u${id}`, displayName: `U${id}`, role, trustLevel: 1, silenced: false });
const author = actor(1);
const stranger = actor(2);
const staff = (['agent', 'supervisor', 'admin'] as const).map((role, i) => actor(10 + i, role));
const thread = { authorId: author.id, status: 'open', kind: 'discussion' } as const;

describe('poll.create', () => {
  it('is for the thread author and staff', () => {
    expect(pollRules['poll.create'](author, thread)).toBe(true);
    for (const s of staff) expect(pollRules['poll.create'](s, thread)).toBe(true);
    expect(pollRules['poll.create'](stranger, thread)).toBe(false);
  });
});

describe('poll.vote', () => {
  it('is open to every member, the author and staff included, until the poll closes', () => {
    for (const a of [author, stranger, ...staff]) {
      expect(pollRules['poll.vote'](a, { closed: false })).toBe(true);
      expect(pollRules['poll.vote'](a, { closed: true })).toBe(false);
    }
  });
});

describe('poll.close and poll.reopen', () => {
  it('are for staff only, and only in the state that makes sense', () => {
    for (const s of staff) {
      expect(pollRules['poll.close'](s, { closed: false })).toBe(true);
      expect(pollRules['poll.close'](s, { closed: true })).toBe(false);
      expect(pollRules['poll.reopen'](s, { closed: true })).toBe(true);
      expect(pollRules['poll.reopen'](s, { closed: false })).toBe(false);
    }
    for (const a of [author, stranger]) {
      expect(pollRules['poll.close'](a, { closed: false })).toBe(false);
      expect(pollRules['poll.reopen'](a, { closed: true })).toBe(false);
    }
  });
});

describe('pollAbilities', () => {
  it('gives an anonymous viewer no buttons and staff the close button', () => {
    expect(pollAbilities(null, { closed: false })).toEqual({ vote: false, close: false, reopen: false });
    expect(pollAbilities(staff[0], { closed: false })).toEqual({ vote: true, close: true, reopen: false });
    expect(pollAbilities(stranger, { closed: true })).toEqual({ vote: false, close: false, reopen: false });
  });
});
