import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import type { Role } from '../forum/types.js';
import { postRules, type PostTarget } from './post.js';

const actor = (id: number, role: Role = 'member'): Actor => ({ id, handle: `u${id}`, displayName: `U${id}`, role, trustLevel: 1, silenced: false });
const author = actor(1);
const stranger = actor(2);
const staff = (['agent', 'supervisor', 'admin'] as const).map((role, i) => actor(10 + i, role));
const post = (overrides: Partial<PostTarget> = {}): PostTarget => ({ authorId: author.id, position: 2, deleted: false, ...overrides });

describe('post.edit and post.delete', () => {
  for (const action of ['post.edit', 'post.delete'] as const) {
    it(`${action}: the author and staff may, other members may not`, () => {
      expect(postRules[action](author, post())).toBe(true);
      for (const s of staff) expect(postRules[action](s, post())).toBe(true);
      expect(postRules[action](stranger, post())).toBe(false);
    });

    it(`${action}: nobody may once the post is deleted`, () => {
      for (const a of [author, stranger, ...staff]) expect(postRules[action](a, post({ deleted: true }))).toBe(false);
    });

    it(`${action}: applies to the opening post too`, () => {
      expect(postRules[action](author, post({ position: 1 }))).toBe(true);
    });
  }
});

describe('post.vote', () => {
  it('lets anyone but the author vote, staff included', () => {
    expect(postRules['post.vote'](stranger, post())).toBe(true);
    for (const s of staff) expect(postRules['post.vote'](s, post())).toBe(true);
  });

  it('refuses a vote on your own post, even for staff', () => {
    expect(postRules['post.vote'](author, post())).toBe(false);
    const agent = staff[0];
    expect(postRules['post.vote'](agent, post({ authorId: agent.id }))).toBe(false);
  });

  it('refuses votes on deleted posts', () => {
    expect(postRules['post.vote'](stranger, post({ deleted: true }))).toBe(false);
  });
});
