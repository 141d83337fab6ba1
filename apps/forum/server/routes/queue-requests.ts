import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { queue } from '@forum/core';
import { errorResponses, IdParams, StaffRequest } from '../http/schemas.js';

export const queueRequestRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads/:id/request-staff',
    {
      schema: {
        tags: ['queue'],
        summary: "Ask for staff help on your thread: it enters the agents' queue (the asker or staff)",
        params: IdParams,
        response: { 201: Type.Object({ request: StaffRequest }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ request: await queue.requestStaff(request.ctx, request.params.id) }),
  );
};
