import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context.js';
import type { Executor } from '../db/client.js';
import { Conflict, Invalid, NotFound, Unauthenticated } from '../errors.js';
import { appendEvent } from '../events/outbox.js';
import { lockThread } from '../forum/queries.js';
import { authorize } from '../policy/index.js';
import { isClosed, presentPoll, presentPublicState } from './present.js';
import * as q from './queries.js';
import { ballots, pollOptions, polls } from './schema.js';
import type { Poll, PollKind, PollResultsVisibility } from './types.js';

export const POLL_LIMITS = {
  questionMax: 300,
  optionsMin: 2,
  optionsMax: 20,
  optionMax: 100,
} as const;

const threadRoom = (id: number) => `thread:${id}`;

export interface CreatePollInput {
  question: string;
  kind: PollKind;
  options: string[];
  /** multiple choice only; default 1 */
  minChoices?: number;
  /** multiple choice only; default: every option */
  maxChoices?: number;
  anonymous?: boolean;
  resultsVisibility?: PollResultsVisibility;
  closesAt?: string | null;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Checks a poll's contract; every broken rule is named by its field. */
function checkPoll(input: CreatePollInput, now: Date) {
  const fields: Record<string, string> = {};
  const question = clean(input.question);
  if (!question) fields.question = 'must not be empty';
  else if (question.length > POLL_LIMITS.questionMax) fields.question = `must be at most ${POLL_LIMITS.questionMax} characters`;

  const labels = input.options.map(clean);
  if (labels.length < POLL_LIMITS.optionsMin || labels.length > POLL_LIMITS.optionsMax) {
    fields.options = `must have ${POLL_LIMITS.optionsMin} to ${POLL_LIMITS.optionsMax} options`;
  } else if (labels.some((l) => !l)) fields.options = 'must not contain an empty option';
  else if (labels.some((l) => l.length > POLL_LIMITS.optionMax)) fields.options = `each option must be at most ${POLL_LIMITS.optionMax} characters`;
  else if (new Set(labels.map((l) => l.toLowerCase())).size !== labels.length) fields.options = 'must not repeat an option';

  let minChoices = 1;
  let maxChoices = 1;
  if (input.kind === 'multiple') {
    minChoices = input.minChoices ?? 1;
    maxChoices = input.maxChoices ?? labels.length;
    if (minChoices < 1) fields.minChoices = 'must be at least 1';
    else if (minChoices > maxChoices) fields.minChoices = 'must not be more than maxChoices';
    if (maxChoices > labels.length) fields.maxChoices = 'must not be more than the number of options';
  } else {
    if (input.minChoices !== undefined) fields.minChoices = 'is only for multiple-choice polls';
    if (input.maxChoices !== undefined) fields.maxChoices = 'is only for multiple-choice polls';
    if (input.kind === 'ranked') maxChoices = labels.length;
  }

  let closesAt: Date | null = null;
  if (input.closesAt) {
    closesAt = new Date(input.closesAt);
    if (Number.isNaN(closesAt.getTime())) fields.closesAt = 'is not a date and time';
    else if (closesAt.getTime() <= now.getTime()) fields.closesAt = 'must be in the future';
  }
  if (Object.keys(fields).length) throw new Invalid(fields);
  return { question, labels, minChoices, maxChoices, closesAt };
}

/** The poll as the actor sees it; anonymous polls are read without their voters. */
async function viewPoll(ctx: Ctx, db: Executor, poll: q.PollRow): Promise<Poll> {
  // One after another: inside a transaction the queries share one connection.
  const options = await q.listOptionRows(db, poll.id);
  const ballotList = poll.anonymous ? await q.listBallotChoices(db, poll.id) : await q.listBallotsWithVoters(db, poll.id);
  const mine = ctx.actor ? await q.getBallotChoices(db, poll.id, ctx.actor.id) : null;
  return presentPoll(poll, options, ballotList, { actor: ctx.actor, ballot: mine, now: ctx.now() });
}

/** Writes the poll's public state to its thread's room (the tally only where anyone may see it). */
async function emitPollEvent(ctx: Ctx, tx: Executor, name: 'polls.ballot.cast' | 'polls.poll.updated', poll: q.PollRow) {
  const options = await q.listOptionRows(tx, poll.id);
  const ballotList = poll.anonymous ? await q.listBallotChoices(tx, poll.id) : await q.listBallotsWithVoters(tx, poll.id);
  await appendEvent(tx, name, [threadRoom(poll.threadId)], presentPublicState(poll, options, ballotList, ctx.now()));
}

async function requirePoll(tx: Executor, pollId: number) {
  const poll = await q.lockPoll(tx, pollId);
  if (!poll) throw new NotFound('Poll', 'poll_not_found');
  return poll;
}

/** A thread's poll as the actor sees it, or null when the thread has none. NotFound for an unknown thread. */
export async function getPoll(ctx: Ctx, threadId: number): Promise<Poll | null> {
  const poll = await q.getPollRowByThread(ctx.db, threadId);
  if (poll) return viewPoll(ctx, ctx.db, poll);
  if (!(await q.threadIsLive(ctx.db, threadId))) throw new NotFound('Thread', 'thread_not_found');
  return null;
}

/**
 * Attaches a poll to a thread (its author from trust level 1, or staff). Invalid names each
 * broken rule (question, options: 2–20, no repeats; min/max choices; a closing time in the
 * future); Conflict poll_exists when the thread already has one, thread_held while it awaits
 * approval. Emits polls.poll.created (jobs) and polls.poll.updated.
 */
export async function createPoll(ctx: Ctx, threadId: number, input: CreatePollInput): Promise<Poll> {
  if (!ctx.actor) throw new Unauthenticated();
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const thread = await lockThread(tx, threadId);
    if (!thread) throw new NotFound('Thread', 'thread_not_found');
    const actor = authorize(ctx.actor, 'poll.create', thread);
    // a thread awaiting approval has no public room to announce a poll in yet
    if (thread.heldAt) throw new Conflict('thread_held', 'This thread is awaiting approval; a poll can be added once staff approve it');
    const valid = checkPoll(input, now);
    if (await q.getPollRowByThread(tx, threadId)) throw new Conflict('poll_exists', 'This thread already has a poll');
    const [poll] = await tx
      .insert(polls)
      .values({
        threadId,
        question: valid.question,
        kind: input.kind,
        minChoices: valid.minChoices,
        maxChoices: valid.maxChoices,
        anonymous: input.anonymous ?? false,
        resultsVisibility: input.resultsVisibility ?? 'always',
        closesAt: valid.closesAt,
        createdAt: now,
      })
      .returning();
    await tx.insert(pollOptions).values(valid.labels.map((label, i) => ({ pollId: poll.id, position: i + 1, label })));
    // For jobs (the Poll starter badge); pages learn of the new poll from polls.poll.updated, as
    // acceptance has forum.answer.accepted for jobs and forum.thread.updated for pages.
    await appendEvent(tx, 'polls.poll.created', [], { pollId: poll.id, threadId }, { pollId: poll.id, threadId, authorId: actor.id, threadAuthorId: thread.authorId });
    await emitPollEvent(ctx, tx, 'polls.poll.updated', poll);
    return viewPoll(ctx, tx, poll);
  });
}

/** Checks a ballot against its poll: its own options, no repeats, and the allowed count. */
function checkChoices(poll: q.PollRow, options: q.OptionRow[], choices: number[]) {
  const ids = new Set(options.map((o) => o.id));
  if (choices.some((c) => !ids.has(c))) throw new Invalid({ choices: 'contains an option that is not in this poll' });
  if (new Set(choices).size !== choices.length) throw new Invalid({ choices: 'must not repeat an option' });
  if (poll.kind === 'single' && choices.length !== 1) throw new Invalid({ choices: 'must be exactly one option' });
  if (poll.kind === 'ranked' && choices.length < 1) throw new Invalid({ choices: 'must rank at least one option' });
  if (poll.kind === 'multiple' && (choices.length < poll.minChoices || choices.length > poll.maxChoices)) {
    const range = poll.minChoices === poll.maxChoices ? `exactly ${poll.minChoices}` : `${poll.minChoices} to ${poll.maxChoices}`;
    throw new Invalid({ choices: `must be ${range} options` });
  }
}

/**
 * Casts or replaces the actor's ballot (one per member per poll, by the primary key); choices
 * are option ids, in preference order for ranked polls. Unauthenticated without a session,
 * Conflict poll_closed once the poll closed, Invalid for bad choices. Emits polls.ballot.cast.
 */
export async function castBallot(ctx: Ctx, pollId: number, choices: number[]): Promise<Poll> {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.db.transaction(async (tx) => {
    const locked = await q.lockPollWithOptions(tx, pollId);
    if (!locked) throw new NotFound('Poll', 'poll_not_found');
    const { poll, options } = locked;
    if (isClosed(poll, ctx.now())) throw new Conflict('poll_closed', 'This poll is closed');
    const actor = authorize(ctx.actor, 'poll.vote', { closed: false });
    checkChoices(poll, options, choices);
    // Every ballot on a poll waits for its lock, so each round trip under it costs all of them:
    // the ballot is written and the tally's ballots read in one statement, and that one read
    // serves both the live event and the answer.
    const read = await q.upsertBallotAndList(tx, { pollId, userId: actor.id, choices, at: ctx.now() }, !poll.anonymous);
    const ballotList = poll.anonymous ? read.map((b) => b.choices) : (read as q.BallotWithVoter[]);
    await appendEvent(tx, 'polls.ballot.cast', [threadRoom(poll.threadId)], presentPublicState(poll, options, ballotList, ctx.now()));
    return presentPoll(poll, options, ballotList, { actor, ballot: choices, now: ctx.now() });
  });
}

/** Withdraws the actor's ballot while the poll is open (a no-op without one). Emits polls.poll.updated. */
export async function retractBallot(ctx: Ctx, pollId: number): Promise<Poll> {
  if (!ctx.actor) throw new Unauthenticated();
  const actor = ctx.actor;
  return ctx.db.transaction(async (tx) => {
    const poll = await requirePoll(tx, pollId);
    if (isClosed(poll, ctx.now())) throw new Conflict('poll_closed', 'This poll is closed');
    const deleted = await tx.delete(ballots).where(and(eq(ballots.pollId, pollId), eq(ballots.userId, actor.id))).returning({ pollId: ballots.pollId });
    if (deleted.length) await emitPollEvent(ctx, tx, 'polls.poll.updated', poll);
    return viewPoll(ctx, tx, poll);
  });
}

/** Closes a poll now (staff). Conflict poll_closed when it already is; emits polls.poll.updated. */
export async function closePoll(ctx: Ctx, pollId: number): Promise<Poll> {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.db.transaction(async (tx) => {
    const poll = await requirePoll(tx, pollId);
    authorize(ctx.actor, 'poll.close', { closed: false });
    if (isClosed(poll, ctx.now())) throw new Conflict('poll_closed', 'This poll is already closed');
    const [updated] = await tx.update(polls).set({ closedAt: ctx.now() }).where(eq(polls.id, pollId)).returning();
    await emitPollEvent(ctx, tx, 'polls.poll.updated', updated);
    return viewPoll(ctx, tx, updated);
  });
}

/**
 * Reopens a closed poll (staff); a closing time that has passed is cleared, so the poll stays
 * open until closed again. Conflict poll_not_closed when it is open; emits polls.poll.updated.
 */
export async function reopenPoll(ctx: Ctx, pollId: number): Promise<Poll> {
  if (!ctx.actor) throw new Unauthenticated();
  return ctx.db.transaction(async (tx) => {
    const poll = await requirePoll(tx, pollId);
    authorize(ctx.actor, 'poll.reopen', { closed: true });
    if (!isClosed(poll, ctx.now())) throw new Conflict('poll_not_closed', 'This poll is not closed');
    const closesAt = poll.closesAt && poll.closesAt.getTime() <= ctx.now().getTime() ? null : poll.closesAt;
    const [updated] = await tx.update(polls).set({ closedAt: null, closesAt }).where(eq(polls.id, pollId)).returning();
    await emitPollEvent(ctx, tx, 'polls.poll.updated', updated);
    return viewPoll(ctx, tx, updated);
  });
}
