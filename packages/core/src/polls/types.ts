// The shapes the poll API returns. The UI imports these as types only.
import type { UserRef } from '../forum/types.js';

export type PollKind = 'single' | 'multiple' | 'ranked';
export type PollResultsVisibility = 'always' | 'after_vote' | 'after_close';

export interface PollOption {
  id: number;
  position: number;
  label: string;
}

export interface PollOptionResult {
  optionId: number;
  /** ballots choosing the option; for ranked polls, first preferences */
  votes: number;
  /** votes as a share of ballots, 0–100, one decimal */
  percent: number;
  /** who chose it; only on public (not anonymous) polls */
  voters?: UserRef[];
}

export interface PollRunoffRound {
  counts: Array<{ optionId: number; votes: number }>;
  exhausted: number;
  eliminated: number | null;
}

export interface PollResults {
  options: PollOptionResult[];
  /** instant-runoff rounds, ranked polls only (empty otherwise) */
  rounds: PollRunoffRound[];
  /** the most-chosen options (several on a tie); the runoff winner for ranked polls */
  winners: number[];
}

export interface PollAbilities {
  vote: boolean;
  close: boolean;
  reopen: boolean;
}

export interface Poll {
  id: number;
  threadId: number;
  question: string;
  kind: PollKind;
  minChoices: number;
  maxChoices: number;
  anonymous: boolean;
  resultsVisibility: PollResultsVisibility;
  closesAt: string | null;
  closed: boolean;
  createdAt: string;
  options: PollOption[];
  ballotCount: number;
  /** the viewer's ballot (option ids, in rank order for ranked polls), null if none */
  myBallot: number[] | null;
  /** null while the results are hidden from this viewer */
  results: PollResults | null;
  abilities: PollAbilities;
}

/** What a poll's live events carry: the tally anyone may see, or just the ballot count. */
export interface PollPublicState {
  pollId: number;
  closed: boolean;
  ballotCount: number;
  results: PollResults | null;
}
