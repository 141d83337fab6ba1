import type { Ctx } from '../context.js';
import { Invalid } from '../errors.js';
import { presentUserRef } from '../forum/present.js';
import { decodeCursor, encodeCursor, LIMITS } from '../forum/service.js';
import type { UserRef } from '../forum/types.js';
import { authorize } from '../policy/index.js';
import { listAuditRows } from './queries.js';

// Reading the append-only audit log. Nothing here (or anywhere) updates or deletes its rows.

export interface AuditLogEntry {
  id: number;
  action: string;
  actor: UserRef | null;
  /** `label`: the member's handle, or the thread's title (a post's thread), as they are now */
  subject: { type: string; id: number; label: string | null };
  reason: string | null;
  data: Record<string, unknown>;
  /** one line a person can read: what was done to what, and what changed */
  summary: string;
  createdAt: string;
}

export interface AuditLogFilter {
  /** the acting staff member's handle */
  actor?: string;
  /** an action or its start, e.g. `thread.` or `thread.pinned` */
  action?: string;
  subjectType?: string;
  subjectId?: number;
  /** from this time, inclusive */
  from?: string;
  /** up to this time, exclusive */
  to?: string;
  limit?: number;
  cursor?: string;
}

const isEntryId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function time(value: string | undefined, field: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/^[1-9]\d{3}-/.test(value)) throw new Invalid({ [field]: 'is not a date and time' });
  return at;
}

/**
 * The audit log for staff, newest first, keyset-paginated by id; filters by actor handle, action
 * prefix, subject and time. Forbidden for members; Invalid for a bad time, cursor or a `from`
 * after `to`. An unknown actor handle matches nothing.
 */
export async function listAuditLog(ctx: Ctx, input: AuditLogFilter = {}): Promise<{ entries: AuditLogEntry[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'audit.read', null);
  const limit = Math.min(Math.max(input.limit ?? LIMITS.pageDefault, 1), LIMITS.pageMax);
  const before = decodeCursor(input.cursor, isEntryId);
  const from = time(input.from, 'from');
  const to = time(input.to, 'to');
  if (from && to && from >= to) throw new Invalid({ to: 'must be after from' });
  const rows = await listAuditRows(
    ctx.db,
    { actorHandle: input.actor, action: input.action, subjectType: input.subjectType, subjectId: input.subjectId, from, to, beforeId: before },
    limit + 1,
  );
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => {
      const data = (r.data ?? {}) as Record<string, unknown>;
      return {
        id: r.id,
        action: r.action,
        actor: r.actorId !== null && r.actorHandle !== null ? presentUserRef(r.actorId, r.actorHandle, r.actorDisplayName!, r.actorRole!) : null,
        subject: { type: r.subjectType, id: r.subjectId, label: r.subjectLabel },
        reason: r.reason,
        data,
        summary: summarizeAudit(r.action, r.subjectType, r.subjectId, data, r.subjectLabel),
        createdAt: r.createdAt.toISOString(),
      };
    }),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
  };
}

const VERBS: Record<string, string> = {
  created: 'Created',
  updated: 'Updated',
  deleted: 'Deleted',
  added: 'Added',
  submitted: 'Submitted',
  resubmitted: 'Resubmitted',
  returned: 'Returned',
  sent: 'Sent',
  assigned: 'Assigned',
  escalated: 'Escalated',
  claim_expired: 'Released an idle claim on',
  sampled: 'Drew the QA sample of',
  scored: 'Scored',
  staff_replied: 'Replied as staff on',
  staff_verified: 'Verified as staff',
  nudged: 'Nudged an expert on',
  taken_private: 'Took private',
  categories_set: 'Set the categories of',
  hidden: 'Hid',
  restored: 'Restored',
  closed: 'Closed',
  reopened: 'Reopened',
  pinned: 'Pinned',
  unpinned: 'Unpinned',
  moved: 'Moved',
  merged: 'Merged',
  silenced: 'Silenced',
  unsilenced: 'Ended the silence of',
  suspended: 'Suspended',
  unsuspended: 'Lifted the suspension of',
  approved: 'Approved',
  rejected: 'Rejected',
  claimed: 'Claimed',
  released: 'Released',
  resolved: 'Resolved',
  flags_resolved: 'Resolved the flags on',
  granted: 'Granted a badge to',
  revoked: 'Revoked a badge of',
  trust_level_set: 'Set the trust level of',
};

const NOUNS: Record<string, string> = {
  post: 'post',
  thread: 'thread',
  user: 'member',
  queue_item: 'queue item',
  flag: 'flag',
  watched_word: 'watched word',
  staff_draft: 'reply draft',
  canned_response: 'canned response',
  private_conversation: 'private conversation',
  team: 'team',
  qa_review: 'QA review',
  qa_week: 'week',
};

/** A time the way staff read it: to the minute, in UTC. */
const when = (iso: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso);

const show = (v: unknown) => (v === null || v === undefined ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * A readable line for an entry: the verb from its action, the subject, the title when the entry
 * kept one, and each value that changed between `before` and `after` (or the time a silence or
 * suspension runs to).
 */
export function summarizeAudit(action: string, subjectType: string, subjectId: number, data: Record<string, unknown>, label: string | null = null): string {
  const verb = action.split('.').slice(1).join('.');
  const lead = VERBS[verb] ?? action;
  const name =
    subjectType === 'user' && label ? ` @${label}` : typeof data.title === 'string' ? ` “${data.title}”` : typeof data.phrase === 'string' ? ` “${data.phrase}”` : label ? ` in “${label}”` : '';
  let line = `${lead} ${NOUNS[subjectType] ?? subjectType} #${subjectId}${name}`;
  const before = data.before as Record<string, unknown> | undefined;
  const after = data.after as Record<string, unknown> | undefined;
  if (before && after && typeof before === 'object' && typeof after === 'object') {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    // `categoryId` next to `category` says the same thing twice
    const changes = keys
      .filter((k) => !(k.endsWith('Id') && keys.includes(k.slice(0, -2))))
      .filter((k) => show(before[k]) !== show(after[k]))
      .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
    if (changes.length) line += ` (${changes.join(', ')})`;
  } else if (typeof data.until === 'string') {
    line += ` until ${when(data.until)}`;
  } else if (typeof data.outcome === 'string') {
    line += ` (${data.outcome})`;
  }
  return line;
}
