import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { crm } from '@forum/core';
import { errorResponses, Nullable } from '@forum/forum/server/http/schemas';
import { ContactSummary } from './crm.js';

// Linking forum members to CRM contacts (staff). Customers never see any of this: the forum app
// has no such routes, and the forum's profile API carries no CRM field.

const HandleParams = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 30 }) });
const ContactIdString = Type.String({ minLength: 1, maxLength: 64, description: "the CRM's own id of the contact" });

const Case = Type.Object({
  id: Type.String(),
  contactId: Type.String(),
  subject: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('pending'), Type.Literal('closed')]),
  resolution: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Contact = Type.Intersect([
  ContactSummary,
  Type.Object({ phone: Nullable(Type.String()), externalIds: Type.Record(Type.String(), Type.String()), openCases: Type.Array(Case) }),
]);
const Evidence = Type.Object(
  {
    kind: Type.Union([Type.Literal('email'), Type.Literal('domain'), Type.Literal('name')]),
    detail: Type.String({ maxLength: 600 }),
    weight: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
const Link = Type.Object({
  id: Type.Integer(),
  connector: Type.String(),
  contactId: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('unlinked')]),
  tier: Nullable(Type.String()),
  linkedBy: Nullable(Type.String()),
  linkedAt: Type.String(),
  unlinkedBy: Nullable(Type.String()),
  unlinkedAt: Nullable(Type.String()),
  unlinkReason: Nullable(Type.String()),
});
const Suggestion = Type.Object({
  contact: ContactSummary,
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  evidence: Type.Array(Evidence),
  linked: Type.Boolean(),
  // set when an agent rejected this contact for this member
  rejected: Nullable(Type.Object({ at: Type.String(), by: Nullable(Type.String()) })),
});
const Rejection = Type.Object({
  connector: Type.String(),
  contactId: Type.String(),
  contactName: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  rejectedBy: Nullable(Type.String()),
  rejectedAt: Type.String(),
});
const FlagCounts = Type.Object({ open: Type.Integer(), agreed: Type.Integer(), disagreed: Type.Integer() });
const ForumHistory = Type.Object({
  member: Type.Object({ handle: Type.String(), displayName: Type.String(), reputation: Type.Integer(), trustLevel: Type.Integer(), memberSince: Type.String() }),
  counts: Type.Object({ threads: Type.Integer(), posts: Type.Integer(), acceptedAnswers: Type.Integer() }),
  recentThreads: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), solved: Type.Boolean(), createdAt: Type.String() })),
  badges: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), tier: Type.String(), tag: Nullable(Type.String()) })),
  flags: Type.Object({ against: FlagCounts, raised: FlagCounts }),
  interactions: Type.Array(
    Type.Object({
      itemId: Type.Integer(),
      threadId: Type.Integer(),
      threadTitle: Type.String(),
      resolution: Nullable(Type.String()),
      agent: Nullable(Type.String()),
      resolvedAt: Nullable(Type.String()),
      csat: Nullable(Type.Object({ score: Type.Integer(), comment: Nullable(Type.String()) })),
    }),
  ),
});
const Confidence = Type.Number({ minimum: 0, maximum: 1, description: 'the suggestion score the agent saw' });
const EvidenceList = Type.Array(Evidence, { maxItems: 10 });

export const crmLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/members/:handle/crm-suggestions',
    {
      schema: {
        tags: ['crm'],
        summary: 'CRM contacts that may be this member, best first, with a confidence (0..1) and its evidence; rejected ones marked, last',
        params: HandleParams,
        response: { 200: Type.Object({ connector: Type.String(), suggestions: Type.Array(Suggestion) }), ...errorResponses },
      },
    },
    async (request) => crm.suggestContacts(request.ctx, request.params.handle),
  );

  app.post(
    '/members/:handle/crm-link',
    {
      schema: {
        tags: ['crm'],
        summary: 'Link the member to a CRM contact, recording the confirmed suggestion (404 crm_contact_not_found, 409 already_linked: unlink first)',
        params: HandleParams,
        body: Type.Object(
          { contactId: ContactIdString, confidence: Type.Optional(Nullable(Confidence)), evidence: Type.Optional(Nullable(EvidenceList)) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ link: Link }), ...errorResponses },
      },
    },
    async (request, reply) => reply.code(201).send({ link: await crm.linkMember(request.ctx, request.params.handle, request.body) }),
  );

  app.post(
    '/members/:handle/crm-suggestions/:contactId/reject',
    {
      schema: {
        tags: ['crm'],
        summary: 'Record that a suggested contact is not this member (409 contact_linked)',
        params: Type.Object({ handle: HandleParams.properties.handle, contactId: ContactIdString }),
        body: Type.Object(
          { reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))), confidence: Type.Optional(Nullable(Confidence)), evidence: Type.Optional(Nullable(EvidenceList)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ decision: Type.Object({ contactId: Type.String(), decision: Type.Literal('rejected'), decidedAt: Type.String() }) }), ...errorResponses },
      },
      // the reason may be left out, and so may the whole body
      preValidation: async (request) => void (request.body ??= {}),
    },
    async (request) => ({ decision: await crm.rejectSuggestion(request.ctx, request.params.handle, request.params.contactId, request.body) }),
  );

  app.post(
    '/members/:handle/crm-unlink',
    {
      schema: {
        tags: ['crm'],
        summary: "End the member's CRM link, with a reason; it stays in the history (409 not_linked)",
        params: HandleParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ link: Link }), ...errorResponses },
      },
    },
    async (request) => ({ link: await crm.unlinkMember(request.ctx, request.params.handle, request.body) }),
  );

  app.get(
    '/members/:handle/crm',
    {
      schema: {
        tags: ['crm'],
        summary: "The member's CRM profile: the linked contact with account, tier, value and open cases, the link history and the rejected suggestions",
        params: HandleParams,
        response: {
          200: Type.Object({ connector: Type.String(), link: Nullable(Link), contact: Nullable(Contact), history: Type.Array(Link), rejections: Type.Array(Rejection) }),
          ...errorResponses,
        },
      },
    },
    async (request) => crm.memberCrmProfile(request.ctx, request.params.handle),
  );

  app.get(
    '/members/:handle/history',
    {
      schema: {
        tags: ['crm'],
        summary: "The member's forum history for the customer panel: counts, recent threads, badges, flags by outcome, earlier agent interactions with CSAT",
        params: HandleParams,
        response: { 200: ForumHistory, ...errorResponses },
      },
    },
    async (request) => crm.memberForumHistory(request.ctx, request.params.handle),
  );
};
