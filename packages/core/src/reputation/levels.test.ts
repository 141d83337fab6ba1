import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../context.js';
import type { Role } from '../forum/types.js';
import { countLinks, earnedTrustLevel, flagWeight, hasTrust, maxLinksFor, promotedTrustLevel } from './levels.js';
import { renderMarkdown } from '../forum/markdown.js';

const levels = [
  { replies: 1, accepted: 0, days: 0, agreedFlags: 0 },
  { replies: 10, accepted: 1, days: 7, agreedFlags: 0 },
  { replies: 50, accepted: 10, days: 60, agreedFlags: 1 },
  { replies: 200, accepted: 50, days: 180, agreedFlags: 5 },
];
const none = { replies: 0, accepted: 0, days: 0, agreedFlags: 0 };
const who = (trustLevel: number, role: Role = 'member') => ({ role, trustLevel });

describe('earnedTrustLevel', () => {
  it('is 0 for a member who has done nothing, and 1 after one reply', () => {
    expect(earnedTrustLevel(none, levels)).toBe(0);
    expect(earnedTrustLevel({ ...none, replies: 1 }, levels)).toBe(1);
  });

  it('needs every requirement of a level, not just most of them', () => {
    expect(earnedTrustLevel({ replies: 10, accepted: 1, days: 6, agreedFlags: 0 }, levels)).toBe(1);
    expect(earnedTrustLevel({ replies: 10, accepted: 0, days: 7, agreedFlags: 0 }, levels)).toBe(1);
    expect(earnedTrustLevel({ replies: 10, accepted: 1, days: 7, agreedFlags: 0 }, levels)).toBe(2);
  });

  it('counts agreed flags from level 3 on', () => {
    const busy = { replies: 60, accepted: 12, days: 90, agreedFlags: 0 };
    expect(earnedTrustLevel(busy, levels)).toBe(2);
    expect(earnedTrustLevel({ ...busy, agreedFlags: 1 }, levels)).toBe(3);
  });

  it('reaches 4 and never beyond, and a level needs the levels below it', () => {
    expect(earnedTrustLevel({ replies: 1000, accepted: 500, days: 1000, agreedFlags: 50 }, levels)).toBe(4);
    // meets level 2's numbers but not level 1's (which here asks for more replies)
    const odd = [{ ...levels[0], replies: 20 }, levels[1], levels[2], levels[3]];
    expect(earnedTrustLevel({ replies: 15, accepted: 5, days: 30, agreedFlags: 0 }, odd)).toBe(0);
  });

  it('follows the configured thresholds', () => {
    expect(earnedTrustLevel({ ...none, replies: 1 }, defaultConfig.trust.levels)).toBe(1);
    const strict = [{ ...levels[0], replies: 3 }, levels[1], levels[2], levels[3]];
    expect(earnedTrustLevel({ ...none, replies: 2 }, strict)).toBe(0);
  });
});

describe('promotedTrustLevel', () => {
  it('only raises, and leaves a locked level alone', () => {
    expect(promotedTrustLevel(1, false, 2)).toBe(2);
    expect(promotedTrustLevel(3, false, 1)).toBe(3);
    expect(promotedTrustLevel(1, true, 3)).toBe(1);
    expect(promotedTrustLevel(4, true, 0)).toBe(4);
  });
});

describe('flagWeight', () => {
  it('is 1 below level 2, 2 from level 2, and 3 for staff', () => {
    expect(flagWeight(who(0))).toBe(1);
    expect(flagWeight(who(1))).toBe(1);
    expect(flagWeight(who(2))).toBe(2);
    expect(flagWeight(who(4))).toBe(2);
    for (const role of ['agent', 'supervisor', 'admin'] as const) expect(flagWeight(who(0, role))).toBe(3);
  });
});

describe('links', () => {
  it('counts Markdown links and bare URLs in the rendered HTML, not images', () => {
    const html = renderMarkdown('[a](https://a.example) and https://b.example ![pic](https://c.example/x.png) `https://d.example`').html;
    expect(countLinks(html)).toBe(2);
  });

  it('limits level-0 members to 2 links; level 1 and staff have no limit', () => {
    expect(maxLinksFor(who(0))).toBe(2);
    expect(maxLinksFor(who(1))).toBeNull();
    expect(maxLinksFor(who(0, 'agent'))).toBeNull();
  });
});

describe('hasTrust', () => {
  it('lets staff through every gate', () => {
    expect(hasTrust(who(0, 'agent'), 3)).toBe(true);
    expect(hasTrust(who(2), 3)).toBe(false);
    expect(hasTrust(who(3), 3)).toBe(true);
  });
});
