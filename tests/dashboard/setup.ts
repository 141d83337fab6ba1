import { sql } from 'drizzle-orm';
import type { Actor, Db, Role } from '@forum/core';
import { startModeration } from '../support/apps.js';
import type { ApiClient } from '../support/http.js';
import { Clock, createMember } from '../support/factories.js';
import { clientAs } from '../support/api.js';

// The dashboard's and QA's tests run the console at Wednesday 11 June 2025, noon UTC, so "last
// week" is Monday 2 to Sunday 8 June; staff are signed in by handle, and a member is signed in too,
// for the 403s.

export interface ConsoleWeek {
  mod: Awaited<ReturnType<typeof startModeration>>;
  db: Db;
  clock: Clock;
  /** the staff members, by handle */
  staff: Record<string, Actor>;
  /** a console client for each staff member, by handle */
  consoles: Record<string, ApiClient>;
  memberConsole: ApiClient;
}

export async function startConsoleWeek(staff: Record<string, Role>): Promise<ConsoleWeek> {
  const clock = new Clock(new Date('2025-06-11T12:00:00.000Z'));
  const mod = await startModeration({ clock });
  const db = mod.db.db;
  const handles = Object.keys(staff);
  const actors = await Promise.all(handles.map((handle) => createMember(db, { role: staff[handle], handle })));
  const member = await createMember(db, { trustLevel: 1 });
  const clients = await Promise.all([...actors, member].map((actor) => clientAs(mod, actor, { app: 'moderation' })));
  return {
    mod,
    db,
    clock,
    staff: Object.fromEntries(handles.map((handle, i) => [handle, actors[i]])),
    consoles: Object.fromEntries(handles.map((handle, i) => [handle, clients[i]])),
    memberConsole: clients[handles.length],
  };
}

/** Writes a queue item for a thread as it would stand after the given times (ISO strings); resolved when `resolved` is set. */
export async function insertItem(
  db: Db,
  threadId: number,
  v: { reasons: string[]; opened: string; due: string; firstResponse?: string; resolved?: string; by?: Actor | null; resolution?: string; claimedBy?: Actor },
): Promise<number> {
  const { rows } = await db.execute<{ id: number }>(sql`
    insert into queue_items (thread_id, status, reasons, opened_at, due_at, first_agent_response_at, resolved_at, resolved_by_id, resolution, claimed_by_id, claimed_at)
    values (${threadId}, ${v.resolved ? 'resolved' : 'queued'}, ${`{${v.reasons.join(',')}}`}::text[], ${v.opened}, ${v.due}, ${v.firstResponse ?? null},
            ${v.resolved ?? null}, ${v.by?.id ?? null}, ${v.resolution ?? null}, ${v.claimedBy?.id ?? null}, null)
    returning id`);
  return rows[0].id;
}
