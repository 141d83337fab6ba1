import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forum } from '@forum/core';
import { Category, errorResponses, Slug, Tag } from '../http/schemas.js';

export const categoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/categories',
    { schema: { tags: ['categories'], summary: 'All categories', response: { 200: Type.Object({ categories: Type.Array(Category) }) } } },
    async (request) => ({ categories: await forum.listCategories(request.ctx) }),
  );

  app.get(
    '/categories/:slug',
    {
      schema: {
        tags: ['categories'],
        summary: 'One category',
        params: Type.Object({ slug: Slug }),
        response: { 200: Type.Object({ category: Category }), ...errorResponses },
      },
    },
    async (request) => ({ category: await forum.getCategory(request.ctx, request.params.slug) }),
  );

  app.get(
    '/tags',
    { schema: { tags: ['categories'], summary: 'All tags with their thread counts', response: { 200: Type.Object({ tags: Type.Array(Tag) }) } } },
    async (request) => ({ tags: await forum.listTags(request.ctx) }),
  );
};
