import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { accounts, authorize, isStaff } from '@forum/core';
import { csrfTokenOf } from '@forum/forum/server/http/session';
import { errorResponses, SessionUser } from '@forum/forum/server/http/schemas';

export const consoleAuthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Who is logged in to the console, and the CSRF token',
        response: { 200: Type.Object({ user: Type.Union([SessionUser, Type.Null()]), csrfToken: Type.String() }) },
      },
    },
    async (request) => {
      const user = await accounts.getSessionUser(request.ctx);
      return { user: user && { ...user, staff: isStaff(user.role) }, csrfToken: csrfTokenOf(request) };
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in to the console (agents, supervisors and admins only)',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: SessionUser }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = await accounts.logIn(request.ctx, request.body.login, request.body.password, request.ip);
      authorize(actor, 'console.enter', null);
      await reply.startSession(actor);
      const user = await accounts.getSessionUser({ ...request.ctx, actor });
      return { user: { ...user!, staff: isStaff(actor.role) } };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['accounts'], summary: 'End the console session', response: { 204: Type.Null(), ...errorResponses } } },
    async (_request, reply) => {
      await reply.endSession();
      return reply.status(204).send(null);
    },
  );
};
