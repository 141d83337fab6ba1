import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { flags } from '@forum/core';
import { Cursor, errorResponses, Flag, FlagReason, FlagReview, FlagStatus, IdParams, Limit } from '../http/schemas.js';

const Note = Type.String({ maxLength: 500 });

export const flagRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/posts/:id/flags',
    {
      schema: {
        tags: ['flags'],
        summary: "Flag a post for staff (not your own; one open flag per post)",
        params: IdParams,
        body: Type.Object({ reason: FlagReason, note: Type.Optional(Type.Union([Note, Type.Null()])) }, { additionalProperties: false }),
        response: { 201: Type.Object({ flag: Flag }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ flag: await flags.flagPost(request.ctx, request.params.id, request.body) }),
  );

  app.get(
    '/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'Flags by status for review (staff): open ones oldest first, resolved ones newest first',
        querystring: Type.Object({ status: Type.Optional(FlagStatus), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }),
        response: { 200: Type.Object({ flags: Type.Array(FlagReview), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => flags.listFlags(request.ctx, request.query),
  );

  app.post(
    '/flags/:id/resolve',
    {
      schema: {
        tags: ['flags'],
        summary: 'Resolve an open flag as agreed or disagreed (staff)',
        params: IdParams,
        body: Type.Object(
          { outcome: Type.Union([Type.Literal('agreed'), Type.Literal('disagreed')]), note: Type.Optional(Type.Union([Note, Type.Null()])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ flag: FlagReview }), ...errorResponses },
      },
    },
    async (request) => ({ flag: await flags.resolveFlag(request.ctx, request.params.id, request.body) }),
  );
};
