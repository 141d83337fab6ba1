import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { users } from '../accounts/schema.js';
import { threads } from '../forum/schema.js';
import { ballots, pollOptions, polls } from './schema.js';

export type PollRow = typeof polls.$inferSelect;
export type OptionRow = Pick<typeof pollOptions.$inferSelect, 'id' | 'position' | 'label'>;

/** A thread's poll, if the thread is live and has one. */
export async function getPollRowByThread(db: Executor, threadId: number): Promise<PollRow | undefined> {
  const [row] = await db
    .select({ poll: polls })
    .from(polls)
    .innerJoin(threads, eq(threads.id, polls.threadId))
    .where(and(eq(polls.threadId, threadId), isNull(threads.deletedAt)));
  return row?.poll;
}

/** A poll of a live thread, row-locked so ballots and state changes on it take turns. */
export async function lockPoll(db: Executor, pollId: number): Promise<PollRow | undefined> {
  const [row] = await db
    .select({ poll: polls })
    .from(polls)
    .innerJoin(threads, eq(threads.id, polls.threadId))
    .where(and(eq(polls.id, pollId), isNull(threads.deletedAt)))
    .for('update', { of: polls });
  return row?.poll;
}

/** lockPoll and listOptionRows in one round trip: what a ballot needs before it is written. */
export async function lockPollWithOptions(db: Executor, pollId: number): Promise<{ poll: PollRow; options: OptionRow[] } | undefined> {
  const [row] = await db
    .select({
      poll: polls,
      options: sql<OptionRow[]>`(select coalesce(json_agg(json_build_object('id', o.id, 'position', o.position, 'label', o.label) order by o.position), '[]'::json)
        from ${pollOptions} o where o.poll_id = ${polls.id})`,
    })
    .from(polls)
    .innerJoin(threads, eq(threads.id, polls.threadId))
    .where(and(eq(polls.id, pollId), isNull(threads.deletedAt)))
    .for('update', { of: polls });
  return row;
}

/**
 * Writes a member's ballot and reads the poll's ballots with it, in one statement: the others'
 * as they stand (the caller holds the poll's lock, so none change meanwhile) and this one as
 * written. With `voters`, each with its voter, in handle order as listBallotsWithVoters has them;
 * without, choices alone.
 */
export async function upsertBallotAndList(
  db: Executor,
  ballot: { pollId: number; userId: number; choices: number[]; at: Date },
  voters: boolean,
): Promise<Array<{ choices: number[]; voter: BallotWithVoter['voter'] | null }>> {
  const choices = sql`${`{${ballot.choices.join(',')}}`}::int[]`;
  const written = sql`
    with written as (
      insert into ${ballots} (poll_id, user_id, choices, updated_at) values (${ballot.pollId}, ${ballot.userId}, ${choices}, ${ballot.at})
      on conflict (poll_id, user_id) do update set choices = excluded.choices, updated_at = excluded.updated_at
    )`;
  if (!voters) {
    // An anonymous poll's tally reads choices only, never who cast them.
    const { rows } = await db.execute<{ choices: number[] }>(sql`${written}
      select b.choices from ${ballots} b where b.poll_id = ${ballot.pollId} and b.user_id <> ${ballot.userId}
      union all select ${choices}`);
    return rows.map((r) => ({ choices: r.choices, voter: null }));
  }
  const { rows } = await db.execute<{ choices: number[]; id: number; handle: string; display_name: string; role: BallotWithVoter['voter']['role'] }>(sql`${written}
    select b.choices, u.id, u.handle, u.display_name, u.role
    from ${ballots} b join ${users} u on u.id = b.user_id
    where b.poll_id = ${ballot.pollId} and b.user_id <> ${ballot.userId}
    union all
    select ${choices}, u.id, u.handle, u.display_name, u.role from ${users} u where u.id = ${ballot.userId}
    order by handle`);
  return rows.map((r) => ({ choices: r.choices, voter: { id: r.id, handle: r.handle, displayName: r.display_name, role: r.role } }));
}

export async function listOptionRows(db: Executor, pollId: number): Promise<OptionRow[]> {
  return db
    .select({ id: pollOptions.id, position: pollOptions.position, label: pollOptions.label })
    .from(pollOptions)
    .where(eq(pollOptions.pollId, pollId))
    .orderBy(asc(pollOptions.position));
}

/** Every ballot's choices, without who cast it: all an anonymous poll's tally may read. */
export async function listBallotChoices(db: Executor, pollId: number): Promise<number[][]> {
  const rows = await db.select({ choices: ballots.choices }).from(ballots).where(eq(ballots.pollId, pollId));
  return rows.map((r) => r.choices);
}

export interface BallotWithVoter {
  choices: number[];
  voter: { id: number; handle: string; displayName: string; role: (typeof users.$inferSelect)['role'] };
}

/** Ballots with their voters, for public polls only. */
export async function listBallotsWithVoters(db: Executor, pollId: number): Promise<BallotWithVoter[]> {
  return db
    .select({
      choices: ballots.choices,
      voter: { id: users.id, handle: users.handle, displayName: users.displayName, role: users.role },
    })
    .from(ballots)
    .innerJoin(users, eq(users.id, ballots.userId))
    .where(eq(ballots.pollId, pollId))
    .orderBy(asc(users.handle));
}

export async function getBallotChoices(db: Executor, pollId: number, userId: number): Promise<number[] | null> {
  const [row] = await db
    .select({ choices: ballots.choices })
    .from(ballots)
    .where(and(eq(ballots.pollId, pollId), eq(ballots.userId, userId)));
  return row?.choices ?? null;
}

export async function threadIsLive(db: Executor, threadId: number): Promise<boolean> {
  const [row] = await db.select({ id: threads.id }).from(threads).where(and(eq(threads.id, threadId), isNull(threads.deletedAt)));
  return row !== undefined;
}
