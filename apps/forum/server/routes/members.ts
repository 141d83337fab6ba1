import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { members, reputation } from '@forum/core';
import { DateTime, errorResponses, MemberStatus, Page, ReputationPage } from '../http/schemas.js';

const HandleParams = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 30 }) });
const Reason = Type.String({ minLength: 1, maxLength: 500 });
const Until = Type.Object({ until: DateTime, reason: Reason }, { additionalProperties: false });
// DELETE carries no body: the optional reason for lifting comes in the query string.
const Lift = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });
const StatusOut = Type.Object({ member: MemberStatus });

export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/users/:handle/reputation',
    {
      schema: {
        tags: ['members'],
        summary: "A member's reputation and its history, newest first",
        params: HandleParams,
        querystring: Page,
        response: { 200: ReputationPage, ...errorResponses },
      },
    },
    async (request) => reputation.getReputation(request.ctx, request.params.handle, request.query),
  );

  app.put(
    '/users/:handle/trust-level',
    {
      schema: {
        tags: ['members'],
        summary: "Set a member's trust level, locked against automatic changes or not (admins)",
        params: HandleParams,
        body: Type.Object({ level: Type.Integer({ minimum: 0, maximum: 4 }), locked: Type.Boolean(), reason: Reason }, { additionalProperties: false }),
        response: { 200: StatusOut, ...errorResponses },
      },
    },
    async (request) => ({ member: await members.setTrustLevel(request.ctx, request.params.handle, request.body) }),
  );

  app.post(
    '/users/:handle/silence',
    {
      schema: {
        tags: ['members'],
        summary: 'Silence a member until a time: they read but cannot post, edit, vote, flag or cast ballots (staff)',
        params: HandleParams,
        body: Until,
        response: { 200: StatusOut, ...errorResponses },
      },
    },
    async (request) => ({ member: await members.silenceMember(request.ctx, request.params.handle, request.body) }),
  );

  app.delete(
    '/users/:handle/silence',
    { schema: { tags: ['members'], summary: "End a member's silence now (staff)", params: HandleParams, querystring: Lift, response: { 200: StatusOut, ...errorResponses } } },
    async (request) => ({ member: await members.unsilenceMember(request.ctx, request.params.handle, request.query) }),
  );

  app.post(
    '/users/:handle/suspend',
    {
      schema: {
        tags: ['members'],
        summary: 'Suspend a member until a time: their sessions end, they cannot log in, their trust level drops to 0 (staff)',
        params: HandleParams,
        body: Until,
        response: { 200: StatusOut, ...errorResponses },
      },
    },
    async (request) => ({ member: await members.suspendMember(request.ctx, request.params.handle, request.body) }),
  );

  app.delete(
    '/users/:handle/suspend',
    { schema: { tags: ['members'], summary: "Lift a member's suspension now (staff)", params: HandleParams, querystring: Lift, response: { 200: StatusOut, ...errorResponses } } },
    async (request) => ({ member: await members.unsuspendMember(request.ctx, request.params.handle, request.query) }),
  );
};
