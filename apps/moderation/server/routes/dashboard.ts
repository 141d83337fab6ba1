import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dashboard } from '@forum/core';
import { DateTime, errorResponses, Nullable, UserRef } from '@forum/forum/server/http/schemas';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' });
const Count = Type.Integer({ minimum: 0 });
const Durations = Type.Object({ median: Nullable(Type.Number()), p90: Nullable(Type.Number()), count: Count }, { description: 'minutes' });
const ByReason = Type.Object({ unanswered: Type.Integer(), flagged: Type.Integer(), requested: Type.Integer(), rule: Type.Integer() });
const Csat = Type.Object({ average: Nullable(Type.Number()), count: Count });
const Period = Type.Union([Type.Literal('day'), Type.Literal('week')]);

const measures = {
  incoming: Count,
  selfServed: Type.Integer(),
  selfServiceRate: Nullable(Type.Number({ description: 'threads created that the community answered or solved with no agent answer (agent-assisted ones count as self-served), over threads created' })),
  queueOpened: ByReason,
  resolved: Type.Object({ agent: Count, assisted: Count, community: Count }),
  firstPeerReply: Durations,
  firstAgentResponse: Durations,
  resolution: Durations,
  slaBreaches: Count,
  flags: Type.Object({ raised: Count, handled: Count }),
};

const Dashboard = Type.Object({
  period: Period,
  timezone: Type.Literal('UTC'),
  from: Day,
  to: Day,
  generatedAt: DateTime,
  buckets: Type.Array(Type.Object({ start: Day, ...measures, queueSize: ByReason, csat: Csat })),
  totals: Type.Object({
    ...measures,
    csat: Type.Object({ average: Nullable(Type.Number()), count: Count, distribution: Type.Array(Count, { minItems: 5, maxItems: 5, description: 'answers scoring 1, 2, 3, 4, 5' }) }),
  }),
  queueNow: Type.Object({ open: Count, byReason: ByReason, breached: Count }),
  agents: Type.Array(Type.Object({ agent: UserRef, assigned: Count, resolved: Count, assisted: Count, openNow: Count })),
});

const AgentDashboard = Type.Object({
  period: Period,
  timezone: Type.Literal('UTC'),
  from: Day,
  to: Day,
  agent: UserRef,
  buckets: Type.Array(Type.Object({ start: Day, assigned: Count, resolved: Count, assisted: Count, csat: Csat })),
  totals: Type.Object({
    assigned: Count,
    resolved: Count,
    assisted: Count,
    openNow: Count,
    resolution: Durations,
    csat: Csat,
    qaAverage: Nullable(Type.Number()),
    qaScored: Count,
  }),
});

const RangeQuery = Type.Object(
  {
    period: Type.Optional(Period),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
  },
  { additionalProperties: false },
);

// Reads only: no audit rows, no events.
export const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dashboard',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['dashboard'],
        summary: "The supervisor's dashboard per UTC day (default the last 14) or ISO week (default the last 12): supervisors and admins",
        querystring: RangeQuery,
        response: { 200: Dashboard, ...errorResponses },
      },
    },
    async (request) => dashboard.getDashboard(request.ctx, request.query),
  );

  app.get(
    '/dashboard/me',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Your own numbers over the same buckets: any staff member',
        querystring: RangeQuery,
        response: { 200: AgentDashboard, ...errorResponses },
      },
    },
    async (request) => dashboard.getMyDashboard(request.ctx, request.query),
  );
};
