import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffwork } from '@forum/core';
import { CsatResponse, errorResponses, IdParams, Nullable } from '../http/schemas.js';

const CsatPrompt = Type.Object({
  itemId: Type.Integer(),
  resolution: Type.Union([Type.Literal('agent'), Type.Literal('assisted')]),
  given: Nullable(CsatResponse),
});

// The asker's rating of staff's help, once staff resolved the thread's queue item.
export const csatRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/threads/:id/csat',
    {
      schema: {
        tags: ['csat'],
        summary: "For the thread's asker after staff resolved its item: the rating prompt, or the rating given (null otherwise)",
        params: IdParams,
        response: { 200: Type.Object({ csat: Nullable(CsatPrompt) }), ...errorResponses },
      },
    },
    async (request) => ({ csat: await staffwork.getCsatPrompt(request.ctx, request.params.id) }),
  );

  app.post(
    '/threads/:id/csat',
    {
      schema: {
        tags: ['csat'],
        summary: 'Rate the help staff gave on your thread: 1–5 and a comment, once per resolved item (409 csat_already_given)',
        params: IdParams,
        body: Type.Object(
          { score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Type.Optional(Nullable(Type.String({ maxLength: 1_000 }))) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ csat: CsatResponse }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ csat: await staffwork.submitCsat(request.ctx, request.params.id, request.body) }),
  );
};
