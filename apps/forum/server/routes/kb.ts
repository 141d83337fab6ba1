import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { kb } from '@forum/core';
import { DateTime, errorResponses, IdParams, Limit, Nullable } from '../http/schemas.js';

// The knowledge base: articles anyone can read, search and be suggested while asking; staff
// publish solved threads as articles, edit and remove them.

const ArticleSummary = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  excerpt: Type.String({ description: 'the first words, plain text' }),
  thread: Type.Object({ id: Type.Integer(), title: Type.String() }, { description: 'the community thread the article came from' }),
  createdAt: DateTime,
  updatedAt: DateTime,
});
const Article = Type.Composite([ArticleSummary, Type.Object({ bodyHtml: Type.String({ description: 'sanitised HTML' }), bodyMarkdown: Type.String() })]);
const ArticleInput = Type.Object(
  { title: Type.String({ maxLength: 300 }), body: Type.String({ maxLength: 20_000 }) },
  { additionalProperties: false },
);
const Query = Type.String({ maxLength: 200 });

export const kbRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/kb',
    {
      schema: {
        tags: ['knowledge base'],
        summary: 'Articles, newest first; with q, the ones matching a search, best first',
        querystring: Type.Object({ q: Type.Optional(Query), cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Limit) }),
        response: { 200: Type.Object({ articles: Type.Array(ArticleSummary), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const { q, cursor, limit } = request.query;
      if (q !== undefined) return { articles: await kb.searchArticles(request.ctx, q, { limit }), nextCursor: null };
      return kb.listArticles(request.ctx, { cursor, limit });
    },
  );

  app.get(
    '/kb/suggest',
    {
      schema: {
        tags: ['knowledge base'],
        summary: 'Articles that may answer a question being typed (at most 5; none for very short text)',
        querystring: Type.Object({ q: Query }),
        response: { 200: Type.Object({ articles: Type.Array(ArticleSummary) }), ...errorResponses },
      },
    },
    async (request) => ({ articles: await kb.suggestArticles(request.ctx, request.query.q) }),
  );

  app.get(
    '/kb/:id',
    { schema: { tags: ['knowledge base'], summary: 'One article', params: IdParams, response: { 200: Type.Object({ article: Article }), ...errorResponses } } },
    async (request) => ({ article: await kb.getArticle(request.ctx, request.params.id) }),
  );

  app.get(
    '/threads/:id/article',
    {
      schema: { tags: ['knowledge base'], summary: 'The article made from this thread, if any', params: IdParams, response: { 200: Type.Object({ article: Nullable(ArticleSummary) }), ...errorResponses } },
    },
    async (request) => ({ article: await kb.articleForThread(request.ctx, request.params.id) }),
  );

  app.get(
    '/threads/:id/article-draft',
    {
      schema: {
        tags: ['knowledge base'],
        summary: "Staff: the publish form's starting point, the thread's title and accepted answer (409 not_solved, already_published)",
        params: IdParams,
        response: { 200: Type.Object({ title: Type.String(), body: Type.String() }), ...errorResponses },
      },
    },
    async (request) => kb.draftArticle(request.ctx, request.params.id),
  );

  app.post(
    '/threads/:id/article',
    {
      schema: {
        tags: ['knowledge base'],
        summary: 'Staff: publish a solved thread as an article (one per thread)',
        params: IdParams,
        body: ArticleInput,
        response: { 201: Type.Object({ article: Article }), ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send({ article: await kb.publishArticle(request.ctx, request.params.id, request.body) }),
  );

  app.put(
    '/kb/:id',
    { schema: { tags: ['knowledge base'], summary: 'Staff: rewrite an article', params: IdParams, body: ArticleInput, response: { 200: Type.Object({ article: Article }), ...errorResponses } } },
    async (request) => ({ article: await kb.updateArticle(request.ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/kb/:id',
    { schema: { tags: ['knowledge base'], summary: 'Staff: take an article down (its thread stays)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await kb.removeArticle(request.ctx, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
