import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { flags, moderation } from '@forum/core';
import { errorResponses, HeldPost, Id, Nullable, Page } from '@forum/forum/server/http/schemas';

// The approval list (pre-moderation) and the bulk actions on it and on flags. A bulk request
// answers 200 with one result per post: ok, or the error that post met.

const PostParams = Type.Object({ postId: Id });
const PostIds = Type.Array(Id, { minItems: 1, maxItems: moderation.BULK_MAX, uniqueItems: true });
const Reason = Type.String({ maxLength: 500 });
const BulkResult = Type.Object({
  postId: Type.Integer(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
const Approval = Type.Composite([HeldPost, Type.Object({ preview: Type.String({ description: 'the body as plain text, cut short' }) })]);

export const approvalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: "Posts awaiting approval, oldest first, with the author's trust level, the category and a preview",
        querystring: Page,
        response: { 200: Type.Object({ posts: Type.Array(Approval), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => moderation.listApprovals(request.ctx, request.query),
  );

  app.post(
    '/approvals/:postId/approve',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Approve a held post: it is published as if written now (409 post_not_held)',
        params: PostParams,
        response: { 200: Type.Object({ postId: Type.Integer(), threadId: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => moderation.approveHeldPost(request.ctx, request.params.postId),
  );

  app.post(
    '/approvals/:postId/reject',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Reject a held post: it is deleted without ever being public (409 post_not_held)',
        params: PostParams,
        body: Type.Object({ reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false }),
        response: { 200: Type.Object({ postId: Type.Integer() }), ...errorResponses },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => moderation.rejectHeldPost(request.ctx, request.params.postId, request.body),
  );

  app.post(
    '/approvals/bulk',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Approve or reject up to 100 held posts; one result per post',
        body: Type.Object(
          { postIds: PostIds, action: Type.Union([Type.Literal('approve'), Type.Literal('reject')]), reason: Type.Optional(Nullable(Reason)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ results: Type.Array(BulkResult) }), ...errorResponses },
      },
    },
    async (request) => ({ results: await moderation.decideApprovals(request.ctx, request.body) }),
  );

  app.post(
    '/flags/bulk',
    {
      schema: {
        tags: ['flags'],
        summary: "Resolve the open flags of up to 100 posts the same way; one result per post",
        body: Type.Object(
          {
            postIds: PostIds,
            outcome: Type.Union([Type.Literal('agree'), Type.Literal('disagree'), Type.Literal('defer')]),
            action: Type.Optional(Type.Union([Type.Literal('hide'), Type.Literal('delete')])),
            silenceAuthorHours: Type.Optional(Type.Integer({ minimum: 1, maximum: flags.SILENCE_HOURS_MAX })),
            note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ results: Type.Array(BulkResult) }), ...errorResponses },
      },
    },
    async (request) => ({ results: await moderation.resolveFlagsInBulk(request.ctx, request.body) }),
  );
};
