import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { accounts, isStaff } from '@forum/core';
import { csrfTokenOf } from '../http/session.js';
import { errorResponses, SessionUser } from '../http/schemas.js';

const Handle = Type.String({ minLength: 3, maxLength: 30, pattern: '^[A-Za-z0-9_-]+$', description: 'letters, digits, _ and -' });
const Email = Type.String({ minLength: 3, maxLength: 254, format: 'email' });
const Password = Type.String({ minLength: 10, maxLength: 200 });

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/session',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Who is logged in, and the CSRF token for state changes',
        response: { 200: Type.Object({ user: Type.Union([SessionUser, Type.Null()]), csrfToken: Type.String() }) },
      },
    },
    async (request) => ({ user: await accounts.getSessionUser(request.ctx).then((u) => u && { ...u, staff: isStaff(u.role) }), csrfToken: csrfTokenOf(request) }),
  );

  app.post(
    '/auth/signup',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create a member account and log in',
        body: Type.Object({ handle: Handle, email: Email, password: Password }, { additionalProperties: false }),
        response: { 201: Type.Object({ user: SessionUser }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = await accounts.signUp(request.ctx, request.body, request.ip);
      await reply.startSession(actor);
      return reply.status(201).send({ user: { ...actor, email: request.body.email, reputation: 0, staff: isStaff(actor.role) } });
    },
  );

  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in with a handle or email and a password',
        body: Type.Object({ login: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: SessionUser }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = await accounts.logIn(request.ctx, request.body.login, request.body.password, request.ip);
      await reply.startSession(actor);
      const user = await accounts.getSessionUser({ ...request.ctx, actor });
      return { user: { ...user!, staff: isStaff(actor.role) } };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['accounts'], summary: 'End the session', response: { 204: Type.Null(), ...errorResponses } } },
    async (_request, reply) => {
      await reply.endSession();
      return reply.status(204).send(null);
    },
  );
};
