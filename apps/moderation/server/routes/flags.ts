import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { flags } from '@forum/core';
import { Cursor, DateTime, errorResponses, FlagReason, IdParams, Limit, Nullable, TrustLevel, UserRef } from '@forum/forum/server/http/schemas';


const FlaggedPost = Type.Object({
  post: Type.Object({
    id: Type.Integer(),
    threadId: Type.Integer(),
    position: Type.Integer(),
    excerpt: Type.String(),
    deleted: Type.Boolean(),
    hidden: Type.Boolean({ description: 'hidden from readers until staff decide' }),
    author: UserRef,
    path: Type.String(),
  }),
  thread: Type.Object({ id: Type.Integer(), title: Type.String() }),
  totalWeight: Type.Integer({ description: "the open flags' summed weight" }),
  threshold: Type.Integer({ description: "the category's weight that hides a post" }),
  flags: Type.Array(
    Type.Object({
      id: Type.Integer(),
      reason: FlagReason,
      note: Nullable(Type.String()),
      weight: Type.Integer(),
      createdAt: DateTime,
      flagger: Type.Composite([UserRef, Type.Object({ trustLevel: TrustLevel })]),
    }),
  ),
});

const Outcome = Type.Union([Type.Literal('agree'), Type.Literal('disagree'), Type.Literal('defer')]);
const Action = Type.Union([Type.Literal('hide'), Type.Literal('delete')]);

const Resolution = Type.Object({
  postId: Type.Integer(),
  outcome: Outcome,
  action: Nullable(Action),
  resolvedFlagIds: Type.Array(Type.Integer()),
  post: Type.Object({ hidden: Type.Boolean(), deleted: Type.Boolean() }),
  authorSilencedUntil: Nullable(DateTime),
});

export const flagRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/flags',
    {
      schema: {
        tags: ['flags'],
        summary: 'Flagged posts with their open flags, grouped by post, oldest flag first',
        querystring: Type.Object(
          { status: Type.Optional(Type.Literal('open')), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ posts: Type.Array(FlaggedPost), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => flags.listFlaggedPosts(request.ctx, request.query),
  );

  app.post(
    '/posts/:id/flags/resolve',
    {
      schema: {
        tags: ['flags'],
        summary: "Resolve a post's open flags: agree (hide or delete, optionally silence the author), disagree (restore) or defer (409 no_open_flags)",
        params: IdParams,
        body: Type.Object(
          {
            outcome: Outcome,
            action: Type.Optional(Action),
            silenceAuthorHours: Type.Optional(Type.Integer({ minimum: 1, maximum: flags.SILENCE_HOURS_MAX })),
            note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ resolution: Resolution }), ...errorResponses },
      },
    },
    async (request) => ({ resolution: await flags.resolvePostFlags(request.ctx, request.params.id, request.body) }),
  );
};
