import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { moderation } from '@forum/core';
import { Category, errorResponses, Id, IdParams, MemberStatus, Nullable } from '@forum/forum/server/http/schemas';

// Moderating from the console (staff). Off the queue every post and thread action needs a reason
// (400 fields.reason); each writes one audit row and tells the other consoles.

const Reason = Type.String({ maxLength: 500, description: 'why; required when the thread is not in the queue' });
const ReasonBody = Type.Object({ reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false });
const State = Type.Record(Type.String(), Type.Unknown());
const Result = Type.Object({
  result: Type.Object({
    action: Type.String({ description: 'the audit action, e.g. thread.pinned' }),
    subject: Type.Object({ type: Type.String(), id: Type.Integer() }),
    threadId: Nullable(Type.Integer()),
    before: State,
    after: State,
    queueItemId: Nullable(Type.Integer()),
  }),
});
const HandleParams = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 30 }) });
const Sanction = Type.Object(
  {
    hours: Type.Integer({ minimum: 1, maximum: moderation.SANCTION_HOURS_MAX, description: 'how long, from now' }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
const StatusOut = Type.Object({ member: MemberStatus });

// the reason may be left out, and so may the whole body
const optionalBody = { preValidation: async (request: { body: unknown }) => void (request.body ??= {}) };

type Act = (ctx: Parameters<typeof moderation.pinThread>[0], id: number, input: { reason?: string | null }) => Promise<unknown>;

export const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/categories',
    { schema: { tags: ['moderation'], summary: 'The categories, in order: where a thread can be moved', response: { 200: Type.Object({ categories: Type.Array(Category) }), ...errorResponses } } },
    async (request) => ({ categories: await moderation.listCategoriesForStaff(request.ctx) }),
  );

  const simple: Array<[string, string, Act]> = [
    ['/posts/:id/hide', 'Hide a post from everyone but its author and staff (409 post_hidden)', moderation.hidePostAsStaff],
    ['/posts/:id/restore', 'Show a hidden post again (409 post_not_hidden)', moderation.restorePostAsStaff],
    ['/threads/:id/close', 'Close a thread to replies (409 thread_closed)', moderation.closeThreadAsStaff],
    ['/threads/:id/reopen', 'Reopen a closed thread (409 thread_not_closed)', moderation.reopenThreadAsStaff],
    ['/threads/:id/pin', "Pin a thread at the top of its category's listing (409 thread_pinned)", moderation.pinThread],
    ['/threads/:id/unpin', 'Unpin a thread (409 thread_not_pinned)', moderation.unpinThread],
  ];
  for (const [url, summary, act] of simple) {
    app.post(
      url,
      { schema: { tags: ['moderation'], summary, params: IdParams, body: ReasonBody, response: { 200: Result, ...errorResponses } }, ...optionalBody },
      async (request) => ({ result: (await act(request.ctx, request.params.id, request.body)) as moderation.ModerationResult }),
    );
  }

  app.post(
    '/threads/:id/move',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Move a thread to another category (404 category_not_found, 409 same_category)',
        params: IdParams,
        body: Type.Object({ categoryId: Id, reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false }),
        response: { 200: Result, ...errorResponses },
      },
    },
    async (request) => ({ result: await moderation.moveThread(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/threads/:id/merge',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Merge a duplicate thread into another: its replies move there and it closes (409 merge_into_self, thread_merged, merge_target_gone)',
        params: IdParams,
        body: Type.Object({ intoThreadId: Id, reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false }),
        response: { 200: Result, ...errorResponses },
      },
    },
    async (request) => ({ result: await moderation.mergeThread(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/members/:handle/silence',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Silence a member for some hours, with a reason: they read but cannot post, vote or flag',
        params: HandleParams,
        body: Sanction,
        response: { 200: StatusOut, ...errorResponses },
      },
    },
    async (request) => ({ member: await moderation.silenceForHours(request.ctx, request.params.handle, request.body) }),
  );

  app.post(
    '/members/:handle/suspend',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Suspend a member for some hours, with a reason: their sessions end and they cannot log in',
        params: HandleParams,
        body: Sanction,
        response: { 200: StatusOut, ...errorResponses },
      },
    },
    async (request) => ({ member: await moderation.suspendForHours(request.ctx, request.params.handle, request.body) }),
  );

  app.post(
    '/members/:handle/unsilence',
    { schema: { tags: ['moderation'], summary: "End a member's silence now (409 not_silenced)", params: HandleParams, body: ReasonBody, response: { 200: StatusOut, ...errorResponses } }, ...optionalBody },
    async (request) => ({ member: await moderation.liftSilence(request.ctx, request.params.handle, request.body) }),
  );

  app.post(
    '/members/:handle/unsuspend',
    { schema: { tags: ['moderation'], summary: "Lift a member's suspension now (409 not_suspended)", params: HandleParams, body: ReasonBody, response: { 200: StatusOut, ...errorResponses } }, ...optionalBody },
    async (request) => ({ member: await moderation.liftSuspension(request.ctx, request.params.handle, request.body) }),
  );
};
