import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { insights } from '@forum/core';
import { BoundedInteger, DateTime, errorResponses, Nullable } from '@forum/forum/server/http/schemas';

// Insights for product teams (the product role) and staff: read-only. Every view answers JSON,
// or with ?format=csv the same rows as a CSV download.

const Format = Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv downloads the same rows' }));
const Week = Type.Object({ week: Type.String(), posts: Type.Integer(), average: Nullable(Type.Number()), negativeShare: Nullable(Type.Number()) });
const Trends = Type.Object({
  by: Type.Union([Type.Literal('category'), Type.Literal('tag')]),
  weeks: Type.Array(Type.String()),
  groups: Type.Array(Type.Object({ key: Type.String(), name: Type.String(), posts: Type.Integer(), average: Nullable(Type.Number()), series: Type.Array(Week) })),
});
const NegativeThread = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  category: Type.String(),
  status: Type.String(),
  posts: Type.Integer(),
  average: Type.Number(),
  lastActivityAt: DateTime,
});
const insightsAccess = { access: 'insights' as const };

function download(reply: { header(name: string, value: string): unknown; type(t: string): unknown }, name: string, csv: string) {
  reply.header('content-disposition', `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.csv"`);
  reply.type('text/csv; charset=utf-8');
  return csv;
}

export const insightRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/insights/sentiment',
    {
      config: insightsAccess,
      schema: {
        tags: ['insights'],
        summary: 'Weekly sentiment per category or tag (the 10 busiest), over the last weeks',
        querystring: Type.Object({
          by: Type.Optional(Type.Union([Type.Literal('category'), Type.Literal('tag')])),
          weeks: Type.Optional(BoundedInteger({ minimum: 1, maximum: 52 })),
          format: Format,
        }),
        response: { 200: Type.Union([Trends, Type.String()]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const trends = await insights.sentimentTrends(request.ctx, request.query);
      if (request.query.format !== 'csv') return trends;
      const rows = trends.groups.flatMap((g) => g.series.map((w) => [g.key, g.name, w.week, w.posts, w.average, w.negativeShare]));
      return download(reply, `sentiment-by-${trends.by}`, insights.toCsv([trends.by, 'name', 'week', 'posts', 'average', 'negative_share'], rows));
    },
  );

  app.get(
    '/insights/negative-threads',
    {
      config: insightsAccess,
      schema: {
        tags: ['insights'],
        summary: 'Open threads whose posts read most negative, worst first',
        querystring: Type.Object({ limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 100 })), format: Format }),
        response: { 200: Type.Union([Type.Object({ threads: Type.Array(NegativeThread) }), Type.String()]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const threads = await insights.negativeThreads(request.ctx, request.query);
      if (request.query.format !== 'csv') return { threads };
      const rows = threads.map((t) => [t.id, t.title, t.category, t.status, t.posts, t.average, t.lastActivityAt]);
      return download(reply, 'negative-threads', insights.toCsv(['id', 'title', 'category', 'status', 'posts', 'average', 'last_activity_at'], rows));
    },
  );

  const GratitudeWeek = Type.Object({ week: Type.String(), solved: Type.Integer(), thanked: Type.Integer(), index: Nullable(Type.Number()) });
  app.get(
    '/insights/gratitude',
    {
      config: insightsAccess,
      schema: {
        tags: ['insights'],
        summary: 'The gratitude index per week: the share of solved questions whose asker thanked someone',
        querystring: Type.Object({ weeks: Type.Optional(BoundedInteger({ minimum: 1, maximum: 52 })), format: Format }),
        response: { 200: Type.Union([Type.Object({ weeks: Type.Array(GratitudeWeek), total: GratitudeWeek }), Type.String()]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const gratitude = await insights.gratitudeIndex(request.ctx, request.query);
      if (request.query.format !== 'csv') return gratitude;
      return download(reply, 'gratitude-index', insights.toCsv(['week', 'solved', 'thanked', 'index'], gratitude.weeks.map((w) => [w.week, w.solved, w.thanked, w.index])));
    },
  );

  app.get(
    '/insights/unanswered-topics',
    {
      config: insightsAccess,
      schema: {
        tags: ['insights'],
        summary: 'The tags with the most questions nobody has answered yet, with the oldest of them',
        querystring: Type.Object({ limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 50 })), format: Format }),
        response: {
          200: Type.Union([
            Type.Object({ topics: Type.Array(Type.Object({ tag: Type.String(), name: Type.String(), unanswered: Type.Integer(), threads: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), createdAt: DateTime })) })) }),
            Type.String(),
          ]),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const topics = await insights.unansweredTopics(request.ctx, request.query);
      if (request.query.format !== 'csv') return { topics };
      return download(reply, 'unanswered-topics', insights.toCsv(['tag', 'name', 'unanswered', 'oldest_thread_id', 'oldest_thread_title'], topics.map((t) => [t.tag, t.name, t.unanswered, t.threads[0]?.id ?? null, t.threads[0]?.title ?? null])));
    },
  );
};
