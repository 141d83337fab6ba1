import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forum } from '@forum/core';
import { LISTS_SCOPE } from '../http/page-cache.js';
import { Cursor, errorResponses, Id, IdParams, Limit, Post, Slug, ThreadDetail, ThreadKind, ThreadSummary } from '../http/schemas.js';

const Title = Type.String({ minLength: 5, maxLength: 200 });
const Body = Type.String({ minLength: 1, maxLength: 20_000, description: 'Markdown' });
const Tags = Type.Array(Slug, { maxItems: 5 });
const ThreadOut = Type.Object({ thread: ThreadDetail });

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/threads',
    {
      schema: {
        tags: ['threads'],
        summary: 'Thread lists: latest, unanswered or solved, optionally by category or tag',
        querystring: Type.Object(
          {
            list: Type.Optional(Type.Union([Type.Literal('latest'), Type.Literal('unanswered'), Type.Literal('solved')])),
            category: Type.Optional(Slug),
            tag: Type.Optional(Slug),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ threads: Type.Array(ThreadSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      if (request.actor) return forum.listThreads(request.ctx, request.query);
      const { list, category, tag, limit, cursor } = request.query;
      return app.pageCache.serve(reply, LISTS_SCOPE, `${list}|${category}|${tag}|${limit}|${cursor}`, () => forum.listThreads(request.ctx, request.query));
    },
  );

  app.post(
    '/threads',
    {
      schema: {
        tags: ['threads'],
        summary: 'Ask a question or start a discussion',
        body: Type.Object(
          { category: Slug, kind: ThreadKind, title: Title, body: Body, tags: Type.Optional(Tags) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ thread: ThreadDetail, post: Post }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await forum.createThread(request.ctx, request.body)),
  );

  app.get(
    '/threads/:id',
    {
      schema: {
        tags: ['threads'],
        summary: 'A thread and a page of its posts, in order',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ thread: ThreadDetail, posts: Type.Array(Post), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (request.actor) return forum.getThread(request.ctx, request.params.id, request.query);
      const { limit, cursor } = request.query;
      return app.pageCache.serve(reply, `thread:${request.params.id}`, `${limit}|${cursor}`, () =>
        forum.getThread(request.ctx, request.params.id, request.query),
      );
    },
  );

  app.patch(
    '/threads/:id',
    {
      schema: {
        tags: ['threads'],
        summary: 'Retitle or retag a thread (author, staff, or members at trust level 3 and up)',
        params: IdParams,
        body: Type.Object({ title: Type.Optional(Title), tags: Type.Optional(Tags) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: ThreadOut, ...errorResponses },
      },
    },
    async (request) => ({ thread: await forum.updateThread(request.ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/threads/:id',
    { schema: { tags: ['threads'], summary: 'Delete a thread (soft; author or staff)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await forum.deleteThread(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/threads/:id/close',
    { schema: { tags: ['threads'], summary: 'Close a thread to new replies', params: IdParams, response: { 200: ThreadOut, ...errorResponses } } },
    async (request) => ({ thread: await forum.closeThread(request.ctx, request.params.id) }),
  );

  app.post(
    '/threads/:id/reopen',
    { schema: { tags: ['threads'], summary: 'Reopen a closed thread', params: IdParams, response: { 200: ThreadOut, ...errorResponses } } },
    async (request) => ({ thread: await forum.reopenThread(request.ctx, request.params.id) }),
  );

  app.post(
    '/threads/:id/accept',
    {
      schema: {
        tags: ['threads'],
        summary: 'Accept a reply as the answer (question author or staff)',
        params: IdParams,
        body: Type.Object({ postId: Id }, { additionalProperties: false }),
        response: { 200: ThreadOut, ...errorResponses },
      },
    },
    async (request) => ({ thread: await forum.acceptAnswer(request.ctx, request.params.id, request.body.postId) }),
  );

  app.delete(
    '/threads/:id/accept',
    { schema: { tags: ['threads'], summary: 'Withdraw the accepted answer', params: IdParams, response: { 200: ThreadOut, ...errorResponses } } },
    async (request) => ({ thread: await forum.unacceptAnswer(request.ctx, request.params.id) }),
  );

  app.post(
    '/threads/:id/posts',
    {
      schema: {
        tags: ['posts'],
        summary: 'Reply to a thread',
        params: IdParams,
        body: Type.Object({ body: Body }, { additionalProperties: false }),
        response: { 201: Type.Object({ post: Post }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ post: await forum.createReply(request.ctx, request.params.id, request.body) }),
  );
};
