import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forum } from '@forum/core';
import { errorResponses, IdParams, Post, Revision } from '../http/schemas.js';

const VoteOut = Type.Object({ score: Type.Integer(), myVote: Type.Integer() });

export const postRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.patch(
    '/posts/:id',
    {
      schema: {
        tags: ['posts'],
        summary: 'Edit a post (author or staff); the old text is kept as a revision',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ post: Post }), ...errorResponses },
      },
    },
    async (request) => ({ post: await forum.editPost(request.ctx, request.params.id, request.body) }),
  );

  app.get(
    '/posts/:id/revisions',
    {
      schema: {
        tags: ['posts'],
        summary: "A post's earlier versions, newest first",
        params: IdParams,
        response: { 200: Type.Object({ revisions: Type.Array(Revision) }), ...errorResponses },
      },
    },
    async (request) => ({ revisions: await forum.listRevisions(request.ctx, request.params.id) }),
  );

  app.delete(
    '/posts/:id',
    { schema: { tags: ['posts'], summary: 'Delete a post (soft; author or staff)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await forum.deletePost(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/posts/:id/vote',
    {
      schema: {
        tags: ['posts'],
        summary: 'Vote a post up (1) or down (-1); one vote per member',
        params: IdParams,
        body: Type.Object({ value: Type.Union([Type.Literal(1), Type.Literal(-1)]) }, { additionalProperties: false }),
        response: { 200: VoteOut, ...errorResponses },
      },
    },
    async (request) => forum.votePost(request.ctx, request.params.id, request.body.value),
  );

  app.delete(
    '/posts/:id/vote',
    { schema: { tags: ['posts'], summary: 'Take your vote back', params: IdParams, response: { 200: VoteOut, ...errorResponses } } },
    async (request) => forum.votePost(request.ctx, request.params.id, 0),
  );
};
