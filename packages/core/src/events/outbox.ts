import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { subscribersOf } from './subscriptions.js';

export const EVENTS_CHANNEL = 'forum_events';

export interface DomainEvent {
  id: number;
  name: string;
  rooms: string[];
  payload: unknown;
  createdAt: string;
}

/**
 * Appends an event to the outbox inside the caller's transaction, and a job for each job kind
 * that subscribes to it (events/subscriptions.ts). The NOTIFY is delivered only when that
 * transaction commits, so listeners never see an event whose change rolled back.
 *
 * `payload` is public: it is pushed to the event's websocket rooms. `facts` (ids a job needs but
 * readers must not see) go only to the jobs, merged over the payload.
 */
export async function appendEvent(tx: Executor, name: string, rooms: string[], payload: unknown, facts?: Record<string, unknown>): Promise<void> {
  const kinds = subscribersOf(name);
  if (!kinds.length) {
    await tx.execute(sql`
      with e as (
        insert into events (name, rooms, payload) values (${name}, string_to_array(${rooms.join(',')}, ','), ${JSON.stringify(payload)}::jsonb)
        returning id
      )
      select pg_notify(${EVENTS_CHANNEL}, id::text) from e`);
    return;
  }
  const jobPayload = JSON.stringify({ event: name, data: payload, facts: facts ?? {} });
  await tx.execute(sql`
    with e as (
      insert into events (name, rooms, payload) values (${name}, string_to_array(${rooms.join(',')}, ','), ${JSON.stringify(payload)}::jsonb)
      returning id
    ), j as (
      insert into jobs (kind, payload)
      select kind, ${jobPayload}::jsonb || jsonb_build_object('eventId', e.id)
      from e, unnest(string_to_array(${kinds.join(',')}, ',')) as kind
    )
    select pg_notify(${EVENTS_CHANNEL}, id::text) from e`);
}

/**
 * Deletes events created before `before`. Websocket delivery only reads fresh rows, so
 * old ones are history; any instance may run this at any time.
 */
export async function pruneEvents(db: Executor, before: Date): Promise<number> {
  const result = await db.execute(sql`delete from events where created_at < ${before}`);
  return result.rowCount ?? 0;
}
