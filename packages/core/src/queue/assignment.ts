// Who gets an item by automatic assignment: a pure choice over the team's on-duty agents, so
// the rules read (and are tested) apart from the database.

export interface Candidate {
  id: number;
  capacity: number;
  /** open items the agent holds now */
  open: number;
  skills: string[];
  lastAssignedAt: Date | null;
}

export type AssignmentRule = 'last_agent' | 'skill' | 'round_robin';

/** The words of a thread that skills match: its tag slugs and the lower-cased words of its title. */
export function threadWords(title: string, tags: string[]): Set<string> {
  const words = title.toLowerCase().match(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu) ?? [];
  return new Set([...tags, ...words]);
}

/**
 * Picks the agent for an item among on-duty candidates with a free slot (open < capacity),
 * leaving out `exclude` (the agent the item just came back from):
 * 1. the customer's last agent (who resolved their previous item), when eligible;
 * 2. else round-robin among agents with a skill in the thread's words, when any;
 * 3. else round-robin among all eligible agents.
 * Round-robin: the agent assigned longest ago (never assigned first), then the lowest id.
 */
export function pickAgent(
  candidates: Candidate[],
  thread: { words: Set<string>; lastAgentId: number | null; exclude?: number | null },
): { agentId: number; rule: AssignmentRule } | null {
  const eligible = candidates.filter((c) => c.open < c.capacity && c.id !== thread.exclude);
  if (!eligible.length) return null;
  const last = eligible.find((c) => c.id === thread.lastAgentId);
  if (last) return { agentId: last.id, rule: 'last_agent' };
  const skilled = eligible.filter((c) => c.skills.some((s) => thread.words.has(s)));
  const pool = skilled.length ? skilled : eligible;
  const waited = (c: Candidate) => c.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const next = [...pool].sort((a, b) => waited(a) - waited(b) || a.id - b.id)[0];
  return { agentId: next.id, rule: skilled.length ? 'skill' : 'round_robin' };
}
