import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { dashboard } from '@forum/core';
import { DateTime, errorResponses, Id, IdParams, Nullable, QueueReason, UserRef } from '@forum/forum/server/http/schemas';

const Week = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the Monday a week starts on, YYYY-MM-DD (UTC)' });
const Score = Type.Integer({ minimum: 1, maximum: 5 });
const Scores = Type.Object({ accuracy: Score, tone: Score, policy: Score, resolution: Score });

const QaReview = Type.Object({
  id: Type.Integer(),
  weekStart: Week,
  agent: UserRef,
  item: Type.Object({
    id: Type.Integer(),
    threadId: Type.Integer(),
    threadTitle: Type.String(),
    reasons: Type.Array(QueueReason),
    resolution: Type.Union([Type.Literal('agent'), Type.Literal('assisted')]),
    openedAt: DateTime,
    resolvedAt: DateTime,
  }),
  sampledAt: DateTime,
  reviewer: Nullable(UserRef),
  scores: Nullable(Scores),
  total: Nullable(Type.Number()),
  comment: Nullable(Type.String()),
  scoredAt: Nullable(DateTime),
});

export const qaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/qa',
    {
      schema: {
        tags: ['qa'],
        summary: 'QA reviews, newest week first: supervisors see everyone’s, an agent only their own',
        querystring: Type.Object({ agent: Type.Optional(Id), week: Type.Optional(Week) }, { additionalProperties: false }),
        response: { 200: Type.Object({ reviews: Type.Array(QaReview) }), ...errorResponses },
      },
    },
    async (request) => ({ reviews: await dashboard.listQaReviews(request.ctx, request.query) }),
  );

  app.post(
    '/qa/sample',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['qa'],
        summary: "Draw a week's QA sample (default last week): N random resolved items per agent; drawing again adds none (supervisors)",
        body: Type.Optional(Type.Object({ weekStart: Type.Optional(Week) }, { additionalProperties: false })),
        response: {
          200: Type.Object({
            weekStart: Week,
            drawn: Type.Array(Type.Object({ agentId: Type.Integer(), itemIds: Type.Array(Type.Integer()) })),
            total: Type.Integer(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => dashboard.sampleQaWeek(request.ctx, request.body ?? {}),
  );

  app.post(
    '/qa/:id/score',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['qa'],
        summary: 'Score a sampled item (supervisors, not their own work); scoring again replaces the scores, audited',
        params: IdParams,
        body: Type.Object({ scores: Scores, comment: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) }, { additionalProperties: false }),
        response: { 200: Type.Object({ review: QaReview }), ...errorResponses },
      },
    },
    async (request) => ({ review: await dashboard.scoreQaReview(request.ctx, request.params.id, request.body) }),
  );
};
