import { presentUserRef } from '../forum/present.js';
import type { UserRef } from '../forum/types.js';
import type * as q from './queries.js';
import type { CannedResponse, CsatResponse, PrivateConversation, PrivateConversationSummary, StaffDraft, StaffNote } from './types.js';

const iso = (d: Date) => d.toISOString();

export const presentRef = (u: q.UserRefRow): UserRef => presentUserRef(u.id, u.handle, u.displayName, u.role);
const maybeRef = (u: Partial<q.UserRefRow> | null) => (u && u.id ? presentRef(u as q.UserRefRow) : null);

export function presentCanned(row: q.CannedRow): CannedResponse {
  return {
    id: row.canned.id,
    title: row.canned.title,
    body: row.canned.body,
    createdBy: maybeRef(row.creator),
    updatedAt: iso(row.canned.updatedAt),
  };
}

export function presentNote(row: q.NoteRow): StaffNote {
  return {
    id: row.note.id,
    threadId: row.note.threadId,
    itemId: row.note.itemId,
    author: presentRef(row.author),
    body: row.note.body,
    createdAt: iso(row.note.createdAt),
  };
}

export function presentDraft(row: q.DraftRow): StaffDraft {
  const d = row.draft;
  return {
    id: d.id,
    thread: { id: d.threadId, title: row.threadTitle, category: { slug: row.categorySlug, name: row.categoryName } },
    itemId: d.itemId,
    author: presentRef(row.author),
    body: d.body,
    status: d.status,
    reviewer: maybeRef(row.reviewer),
    reviewNote: d.reviewNote,
    postId: d.postId,
    createdAt: iso(d.createdAt),
    reviewedAt: d.reviewedAt ? iso(d.reviewedAt) : null,
  };
}

export function presentConversationSummary(row: q.ConversationRow): PrivateConversationSummary {
  const c = row.conversation;
  return {
    id: c.id,
    subject: c.subject,
    thread: { id: c.threadId, title: row.threadTitle },
    customer: presentRef(row.customer),
    openedBy: presentRef(row.openedBy),
    createdAt: iso(c.createdAt),
    lastMessageAt: iso(row.lastMessageAt ?? c.createdAt),
    messageCount: row.messageCount,
  };
}

export function presentConversation(row: q.ConversationRow, messages: q.MessageRow[]): PrivateConversation {
  return {
    ...presentConversationSummary(row),
    messages: messages.map((m) => ({
      id: m.message.id,
      author: presentRef(m.author),
      bodyHtml: m.message.bodyHtml,
      bodyMarkdown: m.message.bodyMarkdown,
      createdAt: iso(m.message.createdAt),
    })),
  };
}

export function presentCsat(row: { itemId: number; score: number; comment: string | null; createdAt: Date }): CsatResponse {
  return { itemId: row.itemId, score: row.score, comment: row.comment, createdAt: iso(row.createdAt) };
}
