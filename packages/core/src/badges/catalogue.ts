// The badge catalogue. Names, tiers and descriptions live here in code; the rules that say who
// qualifies are SQL in queries.ts (one rule per badge, keyed by slug), shared by the event path
// and the backfill.

/** Thresholds of the counting badges (Expert's are configuration: CoreConfig.expert). */
export const HELPFUL_ANSWERS = 10;
export const HELPFUL_MIN_SCORE = 1;
export const SOLUTION_AUTHOR_ACCEPTED = 25;
export const GOOD_QUESTION_SCORE = 5;

export type BadgeTier = 'bronze' | 'silver' | 'gold';

export interface BadgeDefinition {
  slug: string;
  name: string;
  tier: BadgeTier;
  /** what a member does to earn it, for the catalogue page */
  description: string;
  /** awarded once per tag (Expert in ‹tag›) rather than once per member */
  perTag: boolean;
  /**
   * Kept once earned (like Discourse and Stack Overflow): the rule never takes it back, only staff
   * can. When false the rule re-evaluates it and the award lapses when the member stops qualifying.
   */
  kept: boolean;
}

// Terms the descriptions use (and queries.ts implements):
// - an *answer* is a live reply in a live question thread started by someone else;
// - an *accepted answer* is an answer its thread has accepted;
// - a *new member's question* is the first thread its author ever started (deleted ones count, so
//   deleting it does not make a later thread "first"), and it must be a live question.
export const BADGES: readonly BadgeDefinition[] = [
  {
    slug: 'first_answer',
    name: 'First answer',
    tier: 'bronze',
    description: "Answered someone else's question.",
    perTag: false,
    kept: true,
  },
  {
    slug: 'first_accepted',
    name: 'First accepted answer',
    tier: 'bronze',
    description: 'Wrote an answer that was accepted.',
    perTag: false,
    kept: true,
  },
  {
    slug: 'welcomer',
    name: 'Welcomer',
    tier: 'bronze',
    description: "Wrote the first reply to a new member's first question.",
    perTag: false,
    kept: true,
  },
  {
    slug: 'poll_starter',
    name: 'Poll starter',
    tier: 'bronze',
    description: 'Started a thread with a poll.',
    perTag: false,
    kept: true,
  },
  {
    slug: 'good_question',
    name: 'Good question',
    tier: 'bronze',
    description: `Asked a question with a score of ${GOOD_QUESTION_SCORE} or more.`,
    perTag: false,
    kept: true,
  },
  {
    slug: 'helpful',
    name: 'Helpful',
    tier: 'silver',
    description: `Wrote ${HELPFUL_ANSWERS} answers with a score of ${HELPFUL_MIN_SCORE} or more.`,
    perTag: false,
    kept: true,
  },
  {
    slug: 'solution_author',
    name: 'Solution author',
    tier: 'gold',
    description: `Wrote ${SOLUTION_AUTHOR_ACCEPTED} accepted answers.`,
    perTag: false,
    kept: true,
  },
  {
    slug: 'expert',
    name: 'Expert',
    tier: 'gold',
    description:
      'Per tag: enough accepted answers in the tag recently, and a high enough share of accepted answers among the questions answered there. Lapses when no longer true.',
    perTag: true,
    kept: false,
  },
];

export const EXPERT = 'expert';

const bySlug = new Map(BADGES.map((b) => [b.slug, b]));

export function badgeBySlug(slug: string): BadgeDefinition | undefined {
  return bySlug.get(slug);
}

/** The Expert description with this installation's thresholds filled in. */
export function expertDescription(expert: { minAccepted: number; minRatio: number; windowDays: number }): string {
  return `Per tag: at least ${expert.minAccepted} accepted answers in the tag over the last ${expert.windowDays} days, and at least ${Math.round(expert.minRatio * 100)} % of the questions answered there accepted. Lapses when no longer true.`;
}
