import type { UserRef } from '../forum/types.js';
import type { QueueReason } from '../queue/types.js';

export type DashboardPeriod = 'day' | 'week';

/**
 * Median and 90th percentile of a duration, in minutes, over `count` cases (null when none). On
 * the supervisor's dashboard each case is kept to two significant digits (rollup histograms), so
 * these are within 5 % of the exact ones; an agent's own time to resolution is exact.
 */
export interface Durations {
  median: number | null;
  p90: number | null;
  count: number;
}

export type ByReason = Record<QueueReason, number>;

export interface Csat {
  average: number | null;
  count: number;
}

/** One day or ISO week (Monday first), in UTC. */
export interface DashboardBucket {
  /** the bucket's first day, YYYY-MM-DD (UTC) */
  start: string;
  /** threads created (deleted ones left out) */
  incoming: number;
  /** threads created in the bucket that the community answered or solved with no agent answer */
  selfServed: number;
  /** selfServed / incoming; null with no incoming threads */
  selfServiceRate: number | null;
  /** queue items opened in the bucket, per reason (an item with two reasons counts under both) */
  queueOpened: ByReason;
  /** open queue items at the bucket's end (now, for the current bucket), per reason */
  queueSize: ByReason;
  /** queue items resolved in the bucket: by an agent, by an agent assisting a peer, by the community */
  resolved: { agent: number; assisted: number; community: number };
  /** threads created in the bucket: created → first peer reply */
  firstPeerReply: Durations;
  /** items opened in the bucket: opened → first staff reply */
  firstAgentResponse: Durations;
  /** items resolved in the bucket by an agent (answered or assisted): opened → resolved */
  resolution: Durations;
  /** items whose SLA due time fell in the bucket and that were not resolved by then */
  slaBreaches: number;
  /** flags raised in the bucket, and how many of those staff have handled since */
  flags: { raised: number; handled: number };
  /** CSAT answers given in the bucket */
  csat: Csat;
}

export interface AgentLoad {
  agent: UserRef;
  /** claims taken and assignments received in the range */
  assigned: number;
  /** items the agent resolved in the range by answering (resolution agent) */
  resolved: number;
  /** items the agent resolved in the range by assisting a peer (resolution assisted) */
  assisted: number;
  /** items the agent holds now */
  openNow: number;
}

export interface Dashboard {
  period: DashboardPeriod;
  timezone: 'UTC';
  /** first day of the first bucket and last day of the last bucket, YYYY-MM-DD, inclusive */
  from: string;
  to: string;
  generatedAt: string;
  buckets: DashboardBucket[];
  /** the whole range at once (percentiles over every case, not averages of buckets) */
  totals: Omit<DashboardBucket, 'start' | 'queueSize' | 'csat'> & { csat: Csat & { distribution: [number, number, number, number, number] } };
  /** the queue as it is now */
  queueNow: { open: number; byReason: ByReason; breached: number };
  agents: AgentLoad[];
}

/** An agent's own numbers (GET /api/dashboard/me). */
export interface AgentDashboard {
  period: DashboardPeriod;
  timezone: 'UTC';
  from: string;
  to: string;
  agent: UserRef;
  buckets: Array<{ start: string; assigned: number; resolved: number; assisted: number; csat: Csat }>;
  totals: { assigned: number; resolved: number; assisted: number; openNow: number; resolution: Durations; csat: Csat; qaAverage: number | null; qaScored: number };
}

export const QA_CRITERIA = ['accuracy', 'tone', 'policy', 'resolution'] as const;
export type QaCriterion = (typeof QA_CRITERIA)[number];
export type QaScores = Record<QaCriterion, number>;

/** One sampled item on the QA scorecard. */
export interface QaReview {
  id: number;
  /** Monday of the sampled week, YYYY-MM-DD (UTC) */
  weekStart: string;
  agent: UserRef;
  item: {
    id: number;
    threadId: number;
    threadTitle: string;
    reasons: QueueReason[];
    resolution: 'agent' | 'assisted';
    openedAt: string;
    resolvedAt: string;
  };
  sampledAt: string;
  reviewer: UserRef | null;
  scores: QaScores | null;
  /** mean of the scores, 1–5 */
  total: number | null;
  comment: string | null;
  scoredAt: string | null;
}

export interface QaSampleResult {
  weekStart: string;
  /** reviews added by this draw, per agent */
  drawn: Array<{ agentId: number; itemIds: number[] }>;
  /** reviews in the week after the draw */
  total: number;
}
