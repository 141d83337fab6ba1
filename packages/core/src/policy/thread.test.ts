import { describe, expect, it } from 'vitest';
import type { Actor } from '../context.js';
import type { Role, ThreadKind, ThreadStatus } from '../forum/types.js';
import { threadRules, type ThreadTarget } from './thread.js';

const actor = (id: number, role: Role = 'member'): Actor => ({ id, handle: `u${id}`, displayName: `U${id}`, role, trustLevel: 1, silenced: false });
const author = actor(1);
const stranger = actor(2);
const staff = (['agent', 'supervisor', 'admin'] as const).map((role, i) => actor(10 + i, role));
const thread = (status: ThreadStatus = 'open', kind: ThreadKind = 'question'): ThreadTarget => ({ authorId: author.id, status, kind });
const live: ThreadStatus[] = ['open', 'answered', 'solved'];

describe('thread.create', () => {
  it('lets any logged-in actor start a thread', () => {
    for (const a of [author, stranger, ...staff]) expect(threadRules['thread.create'](a, null)).toBe(true);
  });
});

describe('thread.reply', () => {
  it('is open to everyone while the thread is not closed', () => {
    for (const status of live) {
      for (const a of [author, stranger, ...staff]) expect(threadRules['thread.reply'](a, thread(status))).toBe(true);
    }
  });

  it('is refused to everyone, staff included, on a closed thread', () => {
    for (const a of [author, stranger, ...staff]) expect(threadRules['thread.reply'](a, thread('closed'))).toBe(false);
  });
});

describe('thread.edit', () => {
  it('lets the author edit until the thread is closed', () => {
    for (const status of live) expect(threadRules['thread.edit'](author, thread(status))).toBe(true);
    expect(threadRules['thread.edit'](author, thread('closed'))).toBe(false);
  });

  it('lets staff edit in any status, and refuses other members', () => {
    for (const status of [...live, 'closed'] as const) {
      for (const s of staff) expect(threadRules['thread.edit'](s, thread(status))).toBe(true);
      expect(threadRules['thread.edit'](stranger, thread(status))).toBe(false);
    }
  });
});

describe('thread.delete', () => {
  it('is for the author and staff, in any status', () => {
    for (const status of [...live, 'closed'] as const) {
      expect(threadRules['thread.delete'](author, thread(status))).toBe(true);
      for (const s of staff) expect(threadRules['thread.delete'](s, thread(status))).toBe(true);
      expect(threadRules['thread.delete'](stranger, thread(status))).toBe(false);
    }
  });
});

describe('thread.accept', () => {
  it('is for the question author and staff', () => {
    expect(threadRules['thread.accept'](author, thread('answered'))).toBe(true);
    for (const s of staff) expect(threadRules['thread.accept'](s, thread('answered'))).toBe(true);
    expect(threadRules['thread.accept'](stranger, thread('answered'))).toBe(false);
  });

  it('never applies to discussions, even for staff', () => {
    for (const a of [author, ...staff]) expect(threadRules['thread.accept'](a, thread('answered', 'discussion'))).toBe(false);
  });

  it('is refused on a closed question', () => {
    for (const a of [author, ...staff]) expect(threadRules['thread.accept'](a, thread('closed'))).toBe(false);
  });

  it('still applies to a solved question, so the answer can be changed or withdrawn', () => {
    expect(threadRules['thread.accept'](author, thread('solved'))).toBe(true);
  });
});

describe('thread.close and thread.reopen', () => {
  it('lets the author and staff close a thread that is not closed, and nobody close it twice', () => {
    for (const status of live) {
      expect(threadRules['thread.close'](author, thread(status))).toBe(true);
      for (const s of staff) expect(threadRules['thread.close'](s, thread(status))).toBe(true);
      expect(threadRules['thread.close'](stranger, thread(status))).toBe(false);
    }
    for (const a of [author, ...staff]) expect(threadRules['thread.close'](a, thread('closed'))).toBe(false);
  });

  it('lets the author and staff reopen only a closed thread', () => {
    expect(threadRules['thread.reopen'](author, thread('closed'))).toBe(true);
    for (const s of staff) expect(threadRules['thread.reopen'](s, thread('closed'))).toBe(true);
    expect(threadRules['thread.reopen'](stranger, thread('closed'))).toBe(false);
    for (const status of live) expect(threadRules['thread.reopen'](author, thread(status))).toBe(false);
  });
});
