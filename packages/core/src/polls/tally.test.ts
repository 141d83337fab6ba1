import { describe, expect, it } from 'vitest';
import { countChoices, instantRunoff } from './tally.js';

// Options A, B, C, D with ids 11–14, listed in that order.
const [A, B, C, D] = [11, 12, 13, 14];
const options = [A, B, C, D].map((id, i) => ({ id, position: i + 1 }));
const times = (n: number, ballot: number[]) => Array.from({ length: n }, () => ballot);
const round = (counts: Array<[number, number]>, exhausted: number, eliminated: number | null) => ({
  counts: counts.map(([optionId, votes]) => ({ optionId, votes })),
  exhausted,
  eliminated,
});

describe('countChoices', () => {
  it('counts each option once per ballot, and ignores unknown options', () => {
    const counts = countChoices(options, [[A], [A, B], [B, C, C], [99]]);
    expect([...counts]).toEqual([[A, 2], [B, 2], [C, 1], [D, 0]]);
  });
});

describe('instantRunoff', () => {
  it('has no winner and no rounds without ballots', () => {
    expect(instantRunoff(options, [])).toEqual({ rounds: [], winner: null });
  });

  it('ends in the first round when an option has a majority', () => {
    expect(instantRunoff(options, [[A], [A, B], [B]])).toEqual({
      rounds: [round([[A, 2], [B, 1], [C, 0], [D, 0]], 0, null)],
      winner: A,
    });
  });

  it('transfers the eliminated option’s ballots to their next preference', () => {
    // 9 ballots: A 4, B 3, C 2 → no majority; C goes, its ballots move to B: B 5 of 9.
    const ballots = [...times(4, [A, B]), ...times(3, [B, C]), ...times(2, [C, B])];
    expect(instantRunoff(options.slice(0, 3), ballots)).toEqual({
      rounds: [round([[A, 4], [B, 3], [C, 2]], 0, C), round([[A, 4], [B, 5]], 0, null)],
      winner: B,
    });
  });

  it('counts exhausted ballots out of the majority, and breaks a tie at the bottom by position', () => {
    // A 3, B 2, C 2 (C ranks nothing else). B and C tie on votes and first preferences: C is
    // listed later, so C goes; its 2 ballots are exhausted and A has 3 of the 5 left.
    const ballots = [...times(3, [A]), ...times(2, [B]), ...times(2, [C])];
    expect(instantRunoff(options.slice(0, 3), ballots)).toEqual({
      rounds: [round([[A, 3], [B, 2], [C, 2]], 0, C), round([[A, 3], [B, 2]], 2, null)],
      winner: A,
    });
  });

  it('breaks a tie at the bottom by fewer first preferences before position', () => {
    // Round 1: A 5, B 3, C 4, D 1 → D goes, its ballot moves to B. Round 2: A 5, B 4, C 4: B and C
    // tie, B had fewer first preferences (3 < 4), so B goes although C is listed later.
    const ballots = [...times(5, [A]), ...times(3, [B]), ...times(4, [C]), [D, B]];
    expect(instantRunoff(options, ballots)).toEqual({
      rounds: [
        round([[A, 5], [B, 3], [C, 4], [D, 1]], 0, D),
        round([[A, 5], [B, 4], [C, 4]], 0, B),
        round([[A, 5], [C, 4]], 4, null),
      ],
      winner: A,
    });
  });

  it('decides an exact tie between the last two by the tie-break, and shows it in the rounds', () => {
    const ballots = [...times(2, [A, B]), ...times(2, [B, A])];
    expect(instantRunoff(options.slice(0, 2), ballots)).toEqual({
      rounds: [round([[A, 2], [B, 2]], 0, B), round([[A, 4]], 0, null)],
      winner: A,
    });
  });

  it('eliminates options nobody ranked first one at a time, fewest first preferences first', () => {
    // A 2, B 2, C 1 (C then B), D 0. D goes (0 votes), then C (1), whose ballot moves to B.
    const ballots = [...times(2, [A]), ...times(2, [B]), [C, B]];
    expect(instantRunoff(options, ballots)).toEqual({
      rounds: [
        round([[A, 2], [B, 2], [C, 1], [D, 0]], 0, D),
        round([[A, 2], [B, 2], [C, 1]], 0, C),
        round([[A, 2], [B, 3]], 0, null),
      ],
      winner: B,
    });
  });

  it('ignores repeated and unknown options on a ballot', () => {
    expect(instantRunoff(options.slice(0, 2), [[A, A, 99], [99], [B, B]]).rounds[0].counts).toEqual([
      { optionId: A, votes: 1 },
      { optionId: B, votes: 1 },
    ]);
  });
});
