import type { Db, Executor } from './db/client.js';
import type { Role } from './forum/types.js';

export interface Actor {
  id: number;
  handle: string;
  displayName: string;
  role: Role;
  /** 0 new, 1 basic, 2 member, 3 regular, 4 leader */
  trustLevel: number;
  /** silenced members read but cannot post, vote, flag or cast ballots */
  silenced: boolean;
}

export interface RateRule {
  limit: number;
  windowSeconds: number;
}

/** What a member needs to reach a trust level; all of it, and the level below. */
export interface TrustRequirement {
  /** live replies in other members' threads */
  replies: number;
  /** their replies accepted as answers */
  accepted: number;
  /** days since joining */
  days: number;
  /** their flags that staff agreed with */
  agreedFlags: number;
}

export interface CoreConfig {
  rateLimits: {
    signup: RateRule;
    login: RateRule;
    post: RateRule;
  };
  /** points per ledger reason */
  reputation: {
    answerUpvoted: number;
    questionUpvoted: number;
    postDownvoted: number;
    answerAccepted: number;
    acceptedAnAnswer: number;
    /** a peer's answer marked staff-verified by an agent */
    staffVerified: number;
  };
  /** requirements for levels 1, 2, 3 and 4, in that order */
  trust: { levels: [TrustRequirement, TrustRequirement, TrustRequirement, TrustRequirement] };
  /** Expert in ‹tag›: at least `minAccepted` accepted answers in the tag, and accepted/answered ≥ `minRatio`, over `windowDays` */
  expert: { minAccepted: number; minRatio: number; windowDays: number };
  /** at most this many routed questions per expert per hour */
  routing: { perExpertPerHour: number };
  /**
   * The agents' queue: a claim with no agent activity for `idleClaimMinutes` returns to the
   * queue; an item unresolved `escalateAfterMinutes` after it opened goes to the supervisors;
   * a console's viewing/drafting mark counts for `presenceSeconds` after its last refresh.
   */
  queue: { idleClaimMinutes: number; escalateAfterMinutes: number; presenceSeconds: number };
  /** resolved items drawn per agent per week for the QA sample */
  qa: { samplePerAgent: number };
  crm: CrmConfig;
}

/**
 * Which CRM the forum talks to. The built-in directory needs nothing; Salesforce and HubSpot
 * need their API address and a token (from the environment in scripts/start.ts, never the code).
 */
export interface CrmConfig {
  connector: 'directory' | 'salesforce' | 'hubspot';
  salesforce: {
    /** e.g. https://acme.my.salesforce.com */
    instanceUrl: string;
    accessToken: string;
    /** REST API version, e.g. '62.0' */
    apiVersion: string;
    /** the Case's external-id field that carries our idempotency key, so a retried create upserts */
    caseKeyField: string;
  } | null;
  hubspot: {
    /** https://api.hubapi.com, or a local server in tests */
    baseUrl: string;
    accessToken: string;
    /** the ticket property (unique values) that carries our idempotency key */
    ticketKeyProperty: string;
    /** the ticket pipeline and its stages that mean open, pending (waiting on contact) and closed */
    pipeline: string;
    stages: { open: string; pending: string; closed: string };
    /**
     * For HubSpot's own ticket webhooks (signature v3): the app's client secret and the exact
     * URL the subscription posts to (the signature covers it). Both unset refuses them.
     */
    webhook?: { clientSecret: string; url: string } | null;
  } | null;
  /** shared secret for signed case-update webhooks; null refuses every delivery */
  webhookSecret: string | null;
  /** how often the worker polls the CRM for case changes */
  pollSeconds: number;
  /** a case still pending sync is retried with backoff up to this long (CRM outages) */
  retryForMinutes: number;
  /** the forum's public address, for the link back in a case's description */
  forumUrl?: string;
}

export const defaultConfig: CoreConfig = {
  rateLimits: {
    signup: { limit: 10, windowSeconds: 3600 },
    login: { limit: 20, windowSeconds: 300 },
    post: { limit: 30, windowSeconds: 60 },
  },
  reputation: { answerUpvoted: 10, questionUpvoted: 5, postDownvoted: -2, answerAccepted: 15, acceptedAnAnswer: 2, staffVerified: 10 },
  trust: {
    levels: [
      { replies: 1, accepted: 0, days: 0, agreedFlags: 0 },
      { replies: 10, accepted: 1, days: 7, agreedFlags: 0 },
      { replies: 50, accepted: 10, days: 60, agreedFlags: 1 },
      { replies: 200, accepted: 50, days: 180, agreedFlags: 5 },
    ],
  },
  expert: { minAccepted: 3, minRatio: 0.3, windowDays: 180 },
  routing: { perExpertPerHour: 3 },
  queue: { idleClaimMinutes: 30, escalateAfterMinutes: 240, presenceSeconds: 45 },
  qa: { samplePerAgent: 3 },
  crm: { connector: 'directory', salesforce: null, hubspot: null, webhookSecret: null, pollSeconds: 60, retryForMinutes: 24 * 60 },
};

/** What every service receives: the database, who is acting, and a clock tests can set. */
export interface Ctx {
  db: Db;
  actor: Actor | null;
  now(): Date;
  config: CoreConfig;
}

export const systemClock = () => new Date();

/** Agents, supervisors and admins. Product teams read insights in the console but are not staff. */
export function isStaff(role: Role): boolean {
  return role === 'agent' || role === 'supervisor' || role === 'admin';
}

/**
 * The context for services called inside the caller's transaction `tx` (their own transactions
 * become savepoints in it), optionally acting as someone else.
 */
export function within(ctx: Ctx, tx: Executor, actor: Actor | null = ctx.actor): Ctx {
  return { ...ctx, db: tx as unknown as Db, actor };
}
