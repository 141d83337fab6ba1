import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forum } from '@forum/core';
import { errorResponses, Profile } from '../http/schemas.js';

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/users/:handle',
    {
      schema: {
        tags: ['members'],
        summary: "A member's profile with their threads and answers",
        params: Type.Object({ handle: Type.String({ minLength: 1, maxLength: 30 }) }),
        response: { 200: Profile, ...errorResponses },
      },
    },
    async (request) => forum.getProfile(request.ctx, request.params.handle),
  );
};
