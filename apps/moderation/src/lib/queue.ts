// The queue page's list kept in step with the live events of room `queue`: pure functions, so
// the page only holds state.
import type { ItemPresence, QueueAssignee, QueueItem, QueueReason, QueueView } from './api';

/** An item and when this page received it, so its SLA clock keeps running between updates. */
export type QueueRow = QueueItem & { seenAt: number };
export type QueueAction = 'claim' | 'release' | 'resolve' | 'assign';

export const QUEUE_EVENTS = [
  'queue.item.opened',
  'queue.item.updated',
  'queue.item.claimed',
  'queue.item.released',
  'queue.item.resolved',
  'queue.item.assigned',
  'queue.item.claim_expired',
  'queue.item.escalated',
] as const;
export type QueueEventName = (typeof QUEUE_EVENTS)[number];

export const isQueueEvent = (name: string): name is QueueEventName => (QUEUE_EVENTS as readonly string[]).includes(name);

export const toRow = (item: QueueItem, seenAt = Date.now()): QueueRow => ({ ...item, seenAt });

/** The API's order: open items by due time, then priority (reason, tier), then opened time, then id; resolved ones newest first. */
function before(view: QueueView, a: QueueItem, b: QueueItem): boolean {
  if (view === 'resolved') {
    const [ra, rb] = [Date.parse(a.resolvedAt ?? ''), Date.parse(b.resolvedAt ?? '')];
    return ra !== rb ? ra > rb : a.id > b.id;
  }
  const [da, db] = [Date.parse(a.dueAt), Date.parse(b.dueAt)];
  if (da !== db) return da < db;
  if (a.priority !== b.priority) return a.priority < b.priority;
  const [oa, ob] = [Date.parse(a.openedAt), Date.parse(b.openedAt)];
  return oa !== ob ? oa < ob : a.id < b.id;
}

/**
 * The list after a live event. Open list: a resolved item leaves, any other change replaces the
 * item in place or adds it where the API would list it. Resolved list: a resolved item is added.
 * With more pages to load (`complete` false), a new item that sorts after the last one shown is
 * left for "Load more" to bring.
 */
export function applyQueueEvent(
  rows: QueueRow[],
  name: QueueEventName,
  item: QueueItem,
  view: { status: QueueView; reason: QueueReason | null; complete: boolean; assignee?: QueueAssignee; meId?: number },
): QueueRow[] {
  const index = rows.findIndex((r) => r.id === item.id);
  const resolved = name === 'queue.item.resolved';
  if (view.status === 'open' && resolved) return index === -1 ? rows : rows.filter((r) => r.id !== item.id);
  if (view.status === 'resolved' && !resolved) return rows;
  if (view.reason && !item.reasons.includes(view.reason)) return rows;
  // Mine / Unassigned: an item that no longer belongs to the view leaves it, one that now does joins it
  const belongs =
    view.assignee === 'mine' ? item.claimedBy?.id === view.meId : view.assignee === 'unassigned' ? item.claimedBy === null : true;
  if (view.status === 'open' && !belongs) return index === -1 ? rows : rows.filter((r) => r.id !== item.id);
  const row = toRow(item);
  if (index !== -1) return rows.map((r, i) => (i === index ? row : r));
  const at = rows.findIndex((r) => before(view.status, item, r));
  if (at === -1) return view.complete ? [...rows, row] : rows;
  return [...rows.slice(0, at), row, ...rows.slice(at)];
}

/** The rows after a presence change on one item (queue.presence.updated). */
export function applyPresence(rows: QueueRow[], itemId: number, presence: ItemPresence[]): QueueRow[] {
  return rows.map((r) => (r.id === itemId ? { ...r, presence } : r));
}
