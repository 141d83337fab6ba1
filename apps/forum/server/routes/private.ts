import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffwork } from '@forum/core';
import { ConversationSummary, errorResponses, IdParams, PrivateConversation } from '../http/schemas.js';

const ConversationOut = Type.Object({ conversation: PrivateConversation });

// A customer's private conversations with staff (opened when staff take a thread private).
// Only the customer and staff read them; anyone else gets 404.
export const privateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/private',
    {
      schema: {
        tags: ['private'],
        summary: 'Your private conversations with staff, newest first',
        response: { 200: Type.Object({ conversations: Type.Array(ConversationSummary) }), ...errorResponses },
      },
    },
    async (request) => ({ conversations: await staffwork.listMyConversations(request.ctx) }),
  );

  app.get(
    '/private/:id',
    { schema: { tags: ['private'], summary: 'A private conversation with its messages', params: IdParams, response: { 200: ConversationOut, ...errorResponses } } },
    async (request) => ({ conversation: await staffwork.getConversation(request.ctx, request.params.id) }),
  );

  app.post(
    '/private/:id/messages',
    {
      schema: {
        tags: ['private'],
        summary: 'Reply in a private conversation',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: 5_000 }) }, { additionalProperties: false }),
        response: { 201: ConversationOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ conversation: await staffwork.sendPrivateMessage(request.ctx, request.params.id, request.body) }),
  );
};
