import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { search } from '@forum/core';
import { Cursor, errorResponses, Limit, SearchResult, Slug, ThreadStatus } from '../http/schemas.js';

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search (websearch syntax: "a phrase", -without, or)',
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 200 }),
            category: Type.Optional(Slug),
            tag: Type.Optional(Slug),
            status: Type.Optional(ThreadStatus),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            results: Type.Array(SearchResult),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
            didYouMean: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (request.actor) return search.searchThreads(request.ctx, request.query);
      const { q, category, tag, status, limit, cursor } = request.query;
      return app.searchCache.serve(reply, 'search', JSON.stringify([q, category, tag, status, limit, cursor]), () =>
        search.searchThreads(request.ctx, request.query),
      );
    },
  );
};
