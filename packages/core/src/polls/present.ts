import type { Actor } from '../context.js';
import { presentUserRef } from '../forum/present.js';
import { pollAbilities } from '../policy/index.js';
import type { BallotWithVoter, OptionRow, PollRow } from './queries.js';
import { countChoices, instantRunoff } from './tally.js';
import type { Poll, PollPublicState, PollResults } from './types.js';

export const isClosed = (poll: Pick<PollRow, 'closedAt' | 'closesAt'>, now: Date) =>
  poll.closedAt !== null || (poll.closesAt !== null && poll.closesAt.getTime() <= now.getTime());

/** Whether a viewer may see the tally: by the poll's setting, the viewer's ballot and the clock. */
export function resultsVisible(poll: PollRow, closed: boolean, hasVoted: boolean): boolean {
  if (poll.resultsVisibility === 'always' || closed) return true;
  return poll.resultsVisibility === 'after_vote' && hasVoted;
}

/**
 * The tally. Voters per option are listed only when the poll is public and the caller passes
 * ballots with voters; anonymous polls are tallied from bare choices and never name anyone.
 */
export function presentResults(poll: PollRow, options: OptionRow[], ballots: Array<number[] | BallotWithVoter>): PollResults {
  const choices = ballots.map((b) => (Array.isArray(b) ? b : b.choices));
  const withVoters = !poll.anonymous && ballots.every((b) => !Array.isArray(b));
  const counted = poll.kind === 'ranked' ? countChoices(options, choices.map((c) => c.slice(0, 1))) : countChoices(options, choices);
  const runoff = poll.kind === 'ranked' ? instantRunoff(options, choices) : null;
  const top = Math.max(0, ...counted.values());
  const percent = (votes: number) => (choices.length ? Math.round((votes / choices.length) * 1000) / 10 : 0);
  return {
    options: options.map((o) => {
      const votes = counted.get(o.id) ?? 0;
      const result: PollResults['options'][number] = { optionId: o.id, votes, percent: percent(votes) };
      if (withVoters) {
        result.voters = (ballots as BallotWithVoter[])
          .filter((b) => (poll.kind === 'ranked' ? b.choices[0] === o.id : b.choices.includes(o.id)))
          .map((b) => presentUserRef(b.voter.id, b.voter.handle, b.voter.displayName, b.voter.role));
      }
      return result;
    }),
    rounds: runoff?.rounds ?? [],
    winners: runoff ? (runoff.winner === null ? [] : [runoff.winner]) : top > 0 ? options.filter((o) => counted.get(o.id) === top).map((o) => o.id) : [],
  };
}

export function presentPoll(
  poll: PollRow,
  options: OptionRow[],
  ballots: Array<number[] | BallotWithVoter>,
  viewer: { actor: Actor | null; ballot: number[] | null; now: Date },
): Poll {
  const closed = isClosed(poll, viewer.now);
  return {
    id: poll.id,
    threadId: poll.threadId,
    question: poll.question,
    kind: poll.kind,
    minChoices: poll.minChoices,
    maxChoices: poll.maxChoices,
    anonymous: poll.anonymous,
    resultsVisibility: poll.resultsVisibility,
    closesAt: poll.closesAt?.toISOString() ?? null,
    closed,
    createdAt: poll.createdAt.toISOString(),
    options: options.map((o) => ({ id: o.id, position: o.position, label: o.label })),
    ballotCount: ballots.length,
    myBallot: viewer.actor ? viewer.ballot : null,
    results: resultsVisible(poll, closed, viewer.ballot !== null) ? presentResults(poll, options, ballots) : null,
    abilities: pollAbilities(viewer.actor, { closed }),
  };
}

/** What everyone may see: the events' payload. */
export function presentPublicState(poll: PollRow, options: OptionRow[], ballots: Array<number[] | BallotWithVoter>, now: Date): PollPublicState {
  const closed = isClosed(poll, now);
  return {
    pollId: poll.id,
    closed,
    ballotCount: ballots.length,
    results: resultsVisible(poll, closed, false) ? presentResults(poll, options, ballots) : null,
  };
}
