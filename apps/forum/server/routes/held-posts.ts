import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { heldPosts } from '@forum/core';
import { errorResponses, HeldPost, IdParams, Page } from '../http/schemas.js';

export const heldPostRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/held-posts',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Posts awaiting approval, oldest first (staff)',
        querystring: Page,
        response: { 200: Type.Object({ posts: Type.Array(HeldPost), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => heldPosts.listHeldPosts(request.ctx, request.query),
  );

  app.post(
    '/posts/:id/approve',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Approve a held post: it is published as if written now (staff)',
        params: IdParams,
        response: { 200: Type.Object({ postId: Type.Integer(), threadId: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => heldPosts.approvePost(request.ctx, request.params.id),
  );

  app.post(
    '/posts/:id/reject',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Reject a held post: it is deleted without ever being public (staff)',
        params: IdParams,
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses },
      },
      // the body (an optional reason) may be left out altogether
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      await heldPosts.rejectPost(request.ctx, request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
};
