import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { moderation, queue } from '@forum/core';
import { Cursor, DateTime, errorResponses, Id, IdParams, ItemPresence, Limit, QueueItem, QueueReason, ThreadSummary } from '@forum/forum/server/http/schemas';

const ItemOut = Type.Object({ item: QueueItem });

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

  app.get(
    '/queue',
    {
      schema: {
        tags: ['queue'],
        summary:
          'Queue items: open ones by SLA due time, then reason (flagged, rule, requested, unanswered), then tier (vip, enterprise, others), then age; or resolved ones newest first. Optionally one reason, and (open) only mine or only unassigned',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
            reason: Type.Optional(QueueReason),
            assignee: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('mine'), Type.Literal('unassigned')])),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(QueueItem), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => queue.listQueue(request.ctx, request.query),
  );

  app.post(
    '/queue/:id/claim',
    { schema: { tags: ['queue'], summary: 'Claim an item (409 already_claimed when another agent holds it)', params: IdParams, response: { 200: ItemOut, ...errorResponses } } },
    async (request) => ({ item: await queue.claimQueueItem(request.ctx, request.params.id) }),
  );

  app.post(
    '/queue/:id/release',
    { schema: { tags: ['queue'], summary: 'Return a claimed item to the queue (its holder, or a supervisor or admin)', params: IdParams, response: { 200: ItemOut, ...errorResponses } } },
    async (request) => ({ item: await queue.releaseQueueItem(request.ctx, request.params.id) }),
  );

  app.post(
    '/queue/:id/resolve',
    {
      schema: {
        tags: ['queue'],
        summary: 'Resolve an item as handled by an agent (409 already_resolved)',
        params: IdParams,
        body: Type.Optional(Type.Object({ note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) }, { additionalProperties: false })),
        response: { 200: ItemOut, ...errorResponses },
      },
    },
    async (request) => ({ item: await queue.resolveQueueItem(request.ctx, request.params.id, request.body ?? {}) }),
  );

  app.get(
    '/queue/:id',
    { schema: { tags: ['queue'], summary: 'One item (open or resolved) with its thread summary, holder and who has it open now', params: IdParams, response: { 200: ItemOut, ...errorResponses } } },
    async (request) => ({ item: await queue.getQueueItem(request.ctx, request.params.id) }),
  );

  app.post(
    '/queue/:id/assign',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['queue'],
        summary: 'Hand an item to an agent (supervisors and admins; 409 when resolved; 400 when the target is not staff)',
        params: IdParams,
        body: Type.Object({ agentId: Id }, { additionalProperties: false }),
        response: { 200: ItemOut, ...errorResponses },
      },
    },
    async (request) => ({ item: await queue.assignQueueItem(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/queue/:id/presence',
    {
      schema: {
        tags: ['queue'],
        summary: 'Say you are viewing or drafting on an item, or that you left; refresh it every ~20 s (it lasts config.queue.presenceSeconds)',
        params: IdParams,
        body: Type.Object({ state: Type.Union([Type.Literal('viewing'), Type.Literal('drafting'), Type.Literal('left')]) }, { additionalProperties: false }),
        response: { 200: Type.Object({ itemId: Type.Integer(), presence: Type.Array(ItemPresence) }), ...errorResponses },
      },
    },
    async (request) => queue.setPresence(request.ctx, request.params.id, request.body),
  );
};
