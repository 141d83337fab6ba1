import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { moderation } from '@forum/core';
import { Cursor, DateTime, errorResponses, Limit, ThreadSummary } from '@forum/forum/server/http/schemas';

export const queueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/queue/unanswered',
    {
      schema: {
        tags: ['queue'],
        summary: "Threads past their category's community window with no peer reply, oldest first",
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                thread: ThreadSummary,
                reason: Type.Literal('unanswered'),
                windowEndedAt: DateTime,
                waitingMinutes: Type.Integer(),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => moderation.listUnansweredPastWindow(request.ctx, request.query),
  );
};
