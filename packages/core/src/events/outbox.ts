import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { subscribersOf } from './subscriptions.js';

export const EVENTS_CHANNEL = 'forum_events';

/**
 * What NOTIFY carries: the whole event as JSON when it fits (so listeners need not read it back;
 * PostgreSQL's limit is 8000 bytes), otherwise just its id. Built in SQL from the inserted row `e`.
 */
const notification = sql`pg_notify(${EVENTS_CHANNEL}, (select case when octet_length(m) <= 7900 then m else e.id::text end
  from (select json_build_object('id', e.id, 'name', e.name, 'rooms', e.rooms, 'payload', e.payload, 'createdAt', e.created_at)::text as m) as n))`;

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
        returning id, name, rooms, payload, created_at
      )
      select ${notification} from e`);
    return;
  }
  const jobPayload = JSON.stringify({ event: name, data: payload, facts: facts ?? {} });
  await tx.execute(sql`
    with e as (
      insert into events (name, rooms, payload) values (${name}, string_to_array(${rooms.join(',')}, ','), ${JSON.stringify(payload)}::jsonb)
      returning id, name, rooms, payload, created_at
    ), j as (
      insert into jobs (kind, payload)
      select kind, ${jobPayload}::jsonb || jsonb_build_object('eventId', e.id)
      from e, unnest(string_to_array(${kinds.join(',')}, ',')) as kind
    )
    select ${notification} from e`);
}

/**
 * Deletes events created before `before`. Websocket delivery only reads fresh rows, so
 * old ones are history; any instance may run this at any time.
 */
export async function pruneEvents(db: Executor, before: Date): Promise<number> {
  const result = await db.execute(sql`delete from events where created_at < ${before}`);
  return result.rowCount ?? 0;
}
