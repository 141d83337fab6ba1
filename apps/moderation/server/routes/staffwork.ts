import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffwork } from '@forum/core';
import {
  CannedResponse,
  ConversationSummary,
  CsatResponse,
  DateTime,
  errorResponses,
  Id,
  IdParams,
  Limit,
  Nullable,
  Post,
  PrivateConversation,
  QueueItem,
  StaffDraft,
  StaffNote,
  ThreadDetail,
  TrustLevel,
  UserRef,
} from '@forum/forum/server/http/schemas';

// The agent's workflow on one thread: the item page, staff replies and drafts, canned
// responses, internal notes, verifying a peer's answer, nudging an expert, taking it private.

const Reason = Type.String({ maxLength: 500, description: 'why staff act on a thread that is not in the queue' });

const ItemView = Type.Object({
  item: QueueItem,
  thread: ThreadDetail,
  replyApproval: Type.Boolean({ description: 'agents’ replies in this category wait for a supervisor’s approval' }),
  posts: Type.Array(Type.Composite([Post, Type.Object({ peerAnswer: Type.Boolean({ description: 'a live reply by a member other than the asker: staff may verify it' }) })])),
  notes: Type.Array(StaffNote),
  drafts: Type.Array(StaffDraft),
  asker: Type.Object({
    user: UserRef,
    joinedAt: DateTime,
    trustLevel: TrustLevel,
    reputation: Type.Integer(),
    priorThreads: Type.Integer(),
    priorItems: Type.Array(
      Type.Object({ id: Type.Integer(), threadId: Type.Integer(), threadTitle: Type.String(), status: Type.String(), resolution: Nullable(Type.String()), openedAt: DateTime }),
    ),
  }),
  conversations: Type.Array(ConversationSummary),
  csat: Nullable(CsatResponse),
  nudges: Type.Array(Type.Object({ expert: UserRef, by: UserRef, note: Nullable(Type.String()), at: DateTime })),
});

const CannedBody = Type.Object(
  { title: Type.String({ maxLength: 120 }), body: Type.String({ maxLength: 5_000 }) },
  { additionalProperties: false },
);
const DraftOut = Type.Object({ draft: StaffDraft });
const ConversationOut = Type.Object({ conversation: PrivateConversation });
const supervisors = { access: 'supervisor' as const };

export const staffworkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/items/:id/thread',
    {
      schema: {
        tags: ['staffwork'],
        summary: "The item page: the item, its thread with every post (held and hidden marked), notes, drafts, the asker's summary, private conversations, nudges and CSAT",
        params: IdParams,
        response: { 200: ItemView, ...errorResponses },
      },
    },
    async (request) => staffwork.getItemView(request.ctx, request.params.id),
  );

  app.post(
    '/threads/:id/staff-replies',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Reply as staff (409 claimed_by_other while another agent holds the item); in reply-approval categories an agent’s reply becomes a pending draft (202)',
        params: IdParams,
        body: Type.Object(
          { body: Type.String({ maxLength: 20_000 }), cannedResponseId: Type.Optional(Nullable(Id)), reason: Type.Optional(Nullable(Reason)) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ published: Type.Literal(true), post: Post, draft: Type.Null() }),
          202: Type.Object({ published: Type.Literal(false), post: Type.Null(), draft: StaffDraft }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await staffwork.staffReply(request.ctx, request.params.id, request.body);
      return reply.status(result.published ? 201 : 202).send(result);
    },
  );

  app.post(
    '/threads/:id/notes',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Add an internal note (staff only; never shown in the forum)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: 5_000 }), reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false }),
        response: { 201: Type.Object({ note: StaffNote }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ note: await staffwork.addNote(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/posts/:id/verify',
    {
      schema: {
        tags: ['staffwork'],
        summary: "Mark a peer's answer as verified by staff: resolves the item as assisted and credits the peer",
        params: IdParams,
        body: Type.Optional(Type.Object({ reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false })),
        response: { 200: Type.Object({ postId: Type.Integer(), threadId: Type.Integer(), staffVerifiedAt: DateTime }), ...errorResponses },
      },
    },
    async (request) => staffwork.verifyPost(request.ctx, request.params.id, request.body ?? {}),
  );

  app.get(
    '/threads/:id/experts',
    {
      schema: {
        tags: ['staffwork'],
        summary: "Members to nudge about a thread: experts of its tags (not the asker), marked when already nudged",
        params: IdParams,
        response: { 200: Type.Object({ experts: Type.Array(Type.Object({ user: UserRef, tags: Type.Array(Type.String()), nudged: Type.Boolean() })) }), ...errorResponses },
      },
    },
    async (request) => staffwork.listThreadExperts(request.ctx, request.params.id),
  );

  app.post(
    '/threads/:id/nudge',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Privately nudge a community member (an expert), by handle or id, to help on the thread; the item stays open',
        params: IdParams,
        body: Type.Object(
          {
            handle: Type.Optional(Type.String({ maxLength: 40, description: 'the member to nudge (or expertId)' })),
            expertId: Type.Optional(Id),
            note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            reason: Type.Optional(Nullable(Reason)),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ threadId: Type.Integer(), expert: UserRef }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await staffwork.nudgeExpert(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/threads/:id/take-private',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Take the thread private: a private conversation with the asker, starting with this message; resolves the item',
        params: IdParams,
        body: Type.Object({ message: Type.String({ maxLength: 5_000 }), reason: Type.Optional(Nullable(Reason)) }, { additionalProperties: false }),
        response: { 201: ConversationOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ conversation: await staffwork.takePrivate(request.ctx, request.params.id, request.body) }),
  );

  app.get(
    '/conversations/:id',
    { schema: { tags: ['staffwork'], summary: 'A private conversation with its messages', params: IdParams, response: { 200: ConversationOut, ...errorResponses } } },
    async (request) => ({ conversation: await staffwork.getConversation(request.ctx, request.params.id) }),
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Write to the customer in a private conversation',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: 5_000 }) }, { additionalProperties: false }),
        response: { 201: ConversationOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ conversation: await staffwork.sendPrivateMessage(request.ctx, request.params.id, request.body) }),
  );

  // Drafts: supervisors review; the agent who wrote a returned draft resubmits it.
  app.get(
    '/drafts',
    {
      config: supervisors,
      schema: {
        tags: ['staffwork'],
        summary: 'Drafts waiting for approval (or approved / returned ones), newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('returned')])),
            limit: Type.Optional(Limit),
            before: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ drafts: Type.Array(StaffDraft) }), ...errorResponses },
      },
    },
    async (request) => staffwork.listDrafts(request.ctx, request.query),
  );

  app.post(
    '/drafts/:id/approve',
    { config: supervisors, schema: { tags: ['staffwork'], summary: 'Publish a pending draft as its agent (409 draft_not_pending)', params: IdParams, response: { 200: DraftOut, ...errorResponses } } },
    async (request) => ({ draft: await staffwork.approveDraft(request.ctx, request.params.id) }),
  );

  app.post(
    '/drafts/:id/return',
    {
      config: supervisors,
      schema: {
        tags: ['staffwork'],
        summary: 'Return a pending draft to its agent with a note',
        params: IdParams,
        body: Type.Object({ note: Type.String({ maxLength: 1_000 }) }, { additionalProperties: false }),
        response: { 200: DraftOut, ...errorResponses },
      },
    },
    async (request) => ({ draft: await staffwork.returnDraft(request.ctx, request.params.id, request.body) }),
  );

  app.put(
    '/drafts/:id',
    {
      schema: {
        tags: ['staffwork'],
        summary: 'Edit a returned draft and send it back for approval (its agent only)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: 20_000 }) }, { additionalProperties: false }),
        response: { 200: DraftOut, ...errorResponses },
      },
    },
    async (request) => ({ draft: await staffwork.resubmitDraft(request.ctx, request.params.id, request.body) }),
  );

  // Canned responses: staff list and fill them; supervisors manage them.
  app.get(
    '/canned-responses',
    { schema: { tags: ['staffwork'], summary: 'Canned responses by title', response: { 200: Type.Object({ cannedResponses: Type.Array(CannedResponse) }), ...errorResponses } } },
    async (request) => ({ cannedResponses: await staffwork.listCanned(request.ctx) }),
  );

  app.post(
    '/canned-responses',
    {
      config: supervisors,
      schema: {
        tags: ['staffwork'],
        summary: 'Add a canned response; variables: {customer.name}, {customer.handle}, {agent.name}, {thread.title}, {category.name}',
        body: CannedBody,
        response: { 201: Type.Object({ cannedResponse: CannedResponse }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ cannedResponse: await staffwork.createCanned(request.ctx, request.body) }),
  );

  app.put(
    '/canned-responses/:id',
    {
      config: supervisors,
      schema: { tags: ['staffwork'], summary: 'Edit a canned response', params: IdParams, body: CannedBody, response: { 200: Type.Object({ cannedResponse: CannedResponse }), ...errorResponses } },
    },
    async (request) => ({ cannedResponse: await staffwork.updateCanned(request.ctx, request.params.id, request.body) }),
  );

  app.delete(
    '/canned-responses/:id',
    { config: supervisors, schema: { tags: ['staffwork'], summary: 'Remove a canned response', params: IdParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await staffwork.deleteCanned(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/canned-responses/:id/render',
    {
      schema: {
        tags: ['staffwork'],
        summary: "A canned response's text with the thread's variables filled in",
        params: IdParams,
        body: Type.Object({ threadId: Id }, { additionalProperties: false }),
        response: { 200: Type.Object({ text: Type.String() }), ...errorResponses },
      },
    },
    async (request) => staffwork.renderCanned(request.ctx, request.params.id, request.body),
  );
};
