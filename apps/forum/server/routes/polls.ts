import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { polls } from '@forum/core';
import { DateTime, errorResponses, Id, IdParams, Poll, PollKind, PollResultsVisibility } from '../http/schemas.js';

const PollOut = Type.Object({ poll: Poll });
const Choices = Type.Integer({ minimum: 1, maximum: 20 });

export const pollRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/threads/:id/poll',
    {
      schema: {
        tags: ['polls'],
        summary: 'Attach a poll to a thread (its author from trust level 1, or staff)',
        params: IdParams,
        body: Type.Object(
          {
            question: Type.String({ minLength: 1, maxLength: 300 }),
            kind: PollKind,
            options: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 2, maxItems: 20 }),
            minChoices: Type.Optional(Choices),
            maxChoices: Type.Optional(Choices),
            anonymous: Type.Optional(Type.Boolean()),
            resultsVisibility: Type.Optional(PollResultsVisibility),
            closesAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: PollOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ poll: await polls.createPoll(request.ctx, request.params.id, request.body) }),
  );

  app.get(
    '/threads/:id/poll',
    {
      schema: {
        tags: ['polls'],
        summary: "A thread's poll as the viewer sees it (null when it has none)",
        params: IdParams,
        response: { 200: Type.Object({ poll: Type.Union([Poll, Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => ({ poll: await polls.getPoll(request.ctx, request.params.id) }),
  );

  app.put(
    '/polls/:id/ballot',
    {
      schema: {
        tags: ['polls'],
        summary: 'Cast or change your ballot (option ids; in preference order for ranked polls)',
        params: IdParams,
        body: Type.Object({ choices: Type.Array(Id, { maxItems: 20 }) }, { additionalProperties: false }),
        response: { 200: PollOut, ...errorResponses },
      },
    },
    async (request) => ({ poll: await polls.castBallot(request.ctx, request.params.id, request.body.choices) }),
  );

  app.delete(
    '/polls/:id/ballot',
    { schema: { tags: ['polls'], summary: 'Withdraw your ballot', params: IdParams, response: { 200: PollOut, ...errorResponses } } },
    async (request) => ({ poll: await polls.retractBallot(request.ctx, request.params.id) }),
  );

  app.post(
    '/polls/:id/close',
    { schema: { tags: ['polls'], summary: 'Close a poll (staff)', params: IdParams, response: { 200: PollOut, ...errorResponses } } },
    async (request) => ({ poll: await polls.closePoll(request.ctx, request.params.id) }),
  );

  app.post(
    '/polls/:id/reopen',
    { schema: { tags: ['polls'], summary: 'Reopen a closed poll (staff)', params: IdParams, response: { 200: PollOut, ...errorResponses } } },
    async (request) => ({ poll: await polls.reopenPoll(request.ctx, request.params.id) }),
  );
};
