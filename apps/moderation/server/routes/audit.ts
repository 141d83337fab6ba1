import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { moderation } from '@forum/core';
import { Cursor, DateTime, errorResponses, Id, Limit, Nullable, UserRef } from '@forum/forum/server/http/schemas';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  action: Type.String({ description: 'past-tense dotted name, e.g. thread.pinned' }),
  actor: Nullable(UserRef),
  subject: Type.Object({ type: Type.String(), id: Type.Integer(), label: Nullable(Type.String({ description: "the member's handle, or the thread's title (a post's thread), as they are now" })) }),
  reason: Nullable(Type.String()),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'before and after, and what else the action kept' }),
  summary: Type.String({ description: 'one readable line' }),
  createdAt: DateTime,
});

// The audit log is append-only: this file has a read and nothing else, on purpose.
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first; filter by actor handle, action prefix, subject and time',
        querystring: Type.Object(
          {
            actor: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z_.]+$' })),
            subjectType: Type.Optional(Type.String({ minLength: 1, maxLength: 30, pattern: '^[a-z_]+$' })),
            subjectId: Type.Optional(Id),
            from: Type.Optional(Type.String({ maxLength: 40 })),
            to: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntry), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => moderation.listAuditLog(request.ctx, request.query),
  );
};
