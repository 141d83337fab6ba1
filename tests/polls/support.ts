import { expect } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Db, Poll } from '@forum/core';
import type { ApiClient } from '../support/http.js';

/**
 * Rows in the poll tables and the poll events in the outbox: compare before and after a refused
 * request. Only poll events, because the forum's job worker may write others meanwhile (timers
 * that the test's clock made due).
 */
export async function pollCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.execute<{ name: string; count: number }>(sql`
    select 'polls' as name, count(*)::int as count from polls
    union all select 'poll_options', count(*)::int from poll_options
    union all select 'ballots', count(*)::int from ballots
    union all select 'events', count(*)::int from events where name like 'polls.%'`);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.count)]));
}

export async function newThread(client: ApiClient, category: string, title = 'Which release should we test first?') {
  const response = await client.post('/api/threads', { category, kind: 'discussion', title, body: 'Vote below.' });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().thread.id as number;
}

/** A poll as the API returns it. */
export type PollShape = Poll;

export async function newPoll(client: ApiClient, threadId: number, body: Record<string, unknown> = {}): Promise<PollShape> {
  const response = await client.post(`/api/threads/${threadId}/poll`, { question: 'Which one?', kind: 'single', options: ['Red', 'Green', 'Blue'], ...body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().poll;
}

/** Votes per option label, from a poll's results. */
export function votesByLabel(poll: PollShape): Record<string, number> {
  const label = new Map(poll.options.map((o) => [o.id, o.label]));
  return Object.fromEntries(poll.results!.options.map((o) => [label.get(o.optionId)!, o.votes]));
}
