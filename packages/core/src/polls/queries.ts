import { and, asc, eq, isNull } from 'drizzle-orm';
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
