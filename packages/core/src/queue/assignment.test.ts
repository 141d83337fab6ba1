import { describe, expect, it } from 'vitest';
import { pickAgent, threadWords, type Candidate } from './assignment.js';

const agent = (id: number, options: Partial<Candidate> = {}): Candidate => ({ id, capacity: 3, open: 0, skills: [], lastAssignedAt: null, ...options });
const at = (minute: number) => new Date(Date.UTC(2025, 5, 2, 9, minute));
const none = { words: new Set<string>(), lastAgentId: null };

describe('pickAgent', () => {
  it('goes round-robin: the agent assigned longest ago first, never-assigned before all', () => {
    const team = [agent(1, { lastAssignedAt: at(5) }), agent(2, { lastAssignedAt: at(1) }), agent(3)];
    expect(pickAgent(team, none)).toEqual({ agentId: 3, rule: 'round_robin' });
    expect(pickAgent(team.slice(0, 2), none)).toEqual({ agentId: 2, rule: 'round_robin' });
  });

  it('skips agents at capacity and the agent the item came back from; nobody eligible → null', () => {
    const team = [agent(1, { open: 3 }), agent(2, { lastAssignedAt: at(9) }), agent(3, { capacity: 1, open: 1 })];
    expect(pickAgent(team, none)?.agentId).toBe(2);
    expect(pickAgent(team, { ...none, exclude: 2 })).toBeNull();
    expect(pickAgent([], none)).toBeNull();
  });

  it('prefers agents whose skills match the tags or title words', () => {
    const team = [agent(1), agent(2, { skills: ['billing'], lastAssignedAt: at(30) }), agent(3, { skills: ['sso', 'billing'], lastAssignedAt: at(10) })];
    expect(pickAgent(team, { words: threadWords('Why was I charged twice?', ['billing']), lastAgentId: null })).toEqual({ agentId: 3, rule: 'skill' });
    expect(pickAgent(team, { words: threadWords('SSO login loops forever', []), lastAgentId: null })).toEqual({ agentId: 3, rule: 'skill' });
    expect(pickAgent(team, { words: threadWords('Dark mode please', ['ideas']), lastAgentId: null })).toEqual({ agentId: 1, rule: 'round_robin' });
  });

  it('sends a returning customer to their last agent first, when eligible', () => {
    const team = [agent(1, { skills: ['billing'] }), agent(2, { lastAssignedAt: at(59) })];
    const words = threadWords('Billing again', []);
    expect(pickAgent(team, { words, lastAgentId: 2 })).toEqual({ agentId: 2, rule: 'last_agent' });
    expect(pickAgent([team[0], agent(2, { open: 3 })], { words, lastAgentId: 2 })).toEqual({ agentId: 1, rule: 'skill' });
    expect(pickAgent(team, { words, lastAgentId: 99 })).toEqual({ agentId: 1, rule: 'skill' });
  });
});

describe('threadWords', () => {
  it('lower-cases title words, keeps hyphenated words and adds tag slugs', () => {
    expect([...threadWords('Single-Sign-On fails: Ümlaut USER?', ['auth'])].sort()).toEqual(['auth', 'fails', 'single-sign-on', 'user', 'ümlaut']);
  });
});
