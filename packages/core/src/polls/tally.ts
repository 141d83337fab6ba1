// Poll tallies: pure functions over ballots, so they can be checked against hand-computed cases.

export interface TallyOption {
  id: number;
  /** 1, 2, 3 … in the order the author listed the options */
  position: number;
}

/** How many ballots chose each option (single and multiple choice). */
export function countChoices(options: TallyOption[], ballots: number[][]): Map<number, number> {
  const counts = new Map(options.map((o) => [o.id, 0]));
  for (const ballot of ballots) {
    for (const choice of new Set(ballot)) if (counts.has(choice)) counts.set(choice, counts.get(choice)! + 1);
  }
  return counts;
}

export interface RunoffRound {
  /** votes per continuing option in this round, in option order */
  counts: Array<{ optionId: number; votes: number }>;
  /** ballots whose every ranked option has been eliminated */
  exhausted: number;
  /** the option eliminated after this round; null in the last round */
  eliminated: number | null;
}

export interface RunoffResult {
  rounds: RunoffRound[];
  /** null when nobody voted */
  winner: number | null;
}

/**
 * Instant-runoff. Each round, every ballot counts for its highest-ranked option still in the
 * race; a ballot with none left is exhausted. An option with more than half of the round's
 * non-exhausted votes wins, as does the last option standing. Otherwise one option is eliminated:
 *   1. the one with the fewest votes in this round;
 *   2. among those tied, the one with the fewest first-preference votes (round 1);
 *   3. among those still tied, the one listed last (highest position).
 * So the result is deterministic, and an exact tie between the final two is decided by rules 2–3
 * (the rounds show it, so a reader can see that a tie-break decided it).
 */
export function instantRunoff(options: TallyOption[], ballots: number[][]): RunoffResult {
  const known = new Set(options.map((o) => o.id));
  const cleaned = ballots.map((b) => [...new Set(b)].filter((id) => known.has(id))).filter((b) => b.length > 0);
  if (cleaned.length === 0 || options.length === 0) return { rounds: [], winner: null };

  const ordered = [...options].sort((a, b) => a.position - b.position);
  const firstPreferences = new Map(ordered.map((o) => [o.id, 0]));
  for (const b of cleaned) firstPreferences.set(b[0], firstPreferences.get(b[0])! + 1);

  const continuing = new Set(ordered.map((o) => o.id));
  const rounds: RunoffRound[] = [];
  for (;;) {
    const votes = new Map([...continuing].map((id) => [id, 0]));
    let exhausted = 0;
    for (const b of cleaned) {
      const top = b.find((id) => continuing.has(id));
      if (top === undefined) exhausted += 1;
      else votes.set(top, votes.get(top)! + 1);
    }
    const counts = ordered.filter((o) => continuing.has(o.id)).map((o) => ({ optionId: o.id, votes: votes.get(o.id)! }));
    const active = cleaned.length - exhausted;
    const leader = counts.find((c) => c.votes * 2 > active);
    if (leader || continuing.size === 1) {
      rounds.push({ counts, exhausted, eliminated: null });
      return { rounds, winner: leader?.optionId ?? counts[0].optionId };
    }
    const loser = [...counts].sort(
      (a, b) =>
        a.votes - b.votes ||
        firstPreferences.get(a.optionId)! - firstPreferences.get(b.optionId)! ||
        positionOf(ordered, b.optionId) - positionOf(ordered, a.optionId),
    )[0];
    rounds.push({ counts, exhausted, eliminated: loser.optionId });
    continuing.delete(loser.optionId);
  }
}

const positionOf = (options: TallyOption[], id: number) => options.find((o) => o.id === id)!.position;
