import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { crm } from '@forum/core';
import { BoundedInteger, DateTime, errorResponses, IdParams, Nullable, UserRef } from '@forum/forum/server/http/schemas';

// Escalating threads to CRM cases (staff), and the signed webhook through which the CRM reports
// case changes. Nothing here reaches customers: the forum shows only that support took a thread
// over and when support resolved it.

const Status = Type.Union([Type.Literal('pending_sync'), Type.Literal('open'), Type.Literal('pending'), Type.Literal('closed')]);

const Escalation = Type.Object({
  id: Type.Integer(),
  threadId: Type.Integer(),
  threadTitle: Type.String(),
  threadStatus: Type.String(),
  itemId: Nullable(Type.Integer()),
  asker: Nullable(Type.Object({ handle: Type.String(), displayName: Type.String() })),
  connector: Type.String(),
  contactId: Nullable(Type.String()),
  caseId: Nullable(Type.String({ description: 'null while the case is pending sync' })),
  status: Status,
  subject: Type.String(),
  resolution: Nullable(Type.String({ description: "support's own words when the case closed (internal)" })),
  draftAnswer: Nullable(Type.String({ description: 'the public answer drafted from the resolution, personal data removed, until one is published' })),
  answerPostId: Nullable(Type.Integer()),
  needsAction: Type.Boolean({ description: 'the case closed and its thread still waits for an answer or to be closed' }),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String({ description: 'why the last attempt to create the case failed' })),
  escalatedBy: Nullable(UserRef),
  createdAt: DateTime,
  syncedAt: Nullable(DateTime),
  closedAt: Nullable(DateTime),
});
const EscalationOut = Type.Object({ escalation: Escalation });

const WebhookResult = Type.Object({ applied: Type.Integer(), duplicates: Type.Integer(), ignored: Type.Integer() });

export const crmEscalationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/items/:id/escalate',
    {
      schema: {
        tags: ['crm'],
        summary: "Hand the item's thread to support as a CRM case: the item resolves, the case is created in the background (pending sync until the CRM confirms)",
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Nullable(Type.String({ maxLength: 2_000, description: 'for support: what was tried, what is needed' }))) }, { additionalProperties: false }),
        response: { 201: EscalationOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const escalation = await crm.escalateItem(request.ctx, request.params.id, { note: request.body.note });
      return reply.code(201).send({ escalation });
    },
  );

  app.get(
    '/escalations',
    {
      schema: {
        tags: ['crm'],
        summary: 'Escalated threads: closed cases waiting for their public answer first, then those pending sync, then open ones',
        querystring: Type.Object({ status: Type.Optional(Status), limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 100 })) }),
        response: { 200: Type.Object({ escalations: Type.Array(Escalation) }), ...errorResponses },
      },
    },
    async (request) => ({ escalations: await crm.listEscalations(request.ctx, request.query) }),
  );

  app.get(
    '/threads/:id/escalations',
    {
      schema: { tags: ['crm'], summary: "A thread's escalations, newest first", params: IdParams, response: { 200: Type.Object({ escalations: Type.Array(Escalation) }), ...errorResponses } },
    },
    async (request) => ({ escalations: await crm.threadEscalations(request.ctx, request.params.id) }),
  );

  app.post(
    '/escalations/:id/answer',
    {
      schema: {
        tags: ['crm'],
        summary: "Publish the (edited) answer to a closed case's thread as a staff reply; a question is marked solved with it",
        params: IdParams,
        body: Type.Object({ body: Type.String({ maxLength: 20_000 }) }, { additionalProperties: false }),
        response: { 200: EscalationOut, ...errorResponses },
      },
    },
    async (request) => ({ escalation: await crm.publishCaseAnswer(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/escalations/:id/close-thread',
    {
      schema: {
        tags: ['crm'],
        summary: "Close a closed case's thread without a public answer",
        params: IdParams,
        body: Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 2_000 }))) }, { additionalProperties: false }),
        response: { 200: EscalationOut, ...errorResponses },
      },
    },
    async (request) => ({ escalation: await crm.closeCaseThread(request.ctx, request.params.id, request.body) }),
  );

  app.post(
    '/crm/directory/cases/:caseId',
    {
      schema: {
        tags: ['crm'],
        summary: "Support's side with the built-in directory as the CRM: change a case's status (with the resolution when closing); its escalation follows at once",
        params: Type.Object({ caseId: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }) }),
        body: Type.Object({ status: Type.Union([Type.Literal('open'), Type.Literal('pending'), Type.Literal('closed')]), resolution: Type.Optional(Nullable(Type.String({ maxLength: 20_000 }))) }, { additionalProperties: false }),
        response: { 200: Type.Object({ escalation: Nullable(Escalation) }), ...errorResponses },
      },
    },
    async (request) => ({ escalation: await crm.updateDirectoryCase(request.ctx, request.params.caseId, request.body) }),
  );

  const Counts = {
    solved: Type.Integer({ description: 'threads solved with no agent step-in' }),
    linked: Type.Integer({ description: 'of those, asked by a member linked to a CRM contact' }),
    pending: Type.Integer({ description: 'linked ones whose 7 days are not over' }),
    confirmed: Type.Integer({ description: 'linked ones whose contact opened no case within 7 days' }),
    rate: Nullable(Type.Number({ description: 'confirmed / (linked − pending)' })),
  };
  const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' });
  app.get(
    '/dashboard/crm-self-service',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['dashboard'],
        summary: "Self-service checked against the CRM: solved threads whose linked asker opened no case within 7 days, in all, per category and per expert",
        querystring: Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }),
        response: {
          200: Type.Object({
            connector: Type.String(),
            from: Type.String(),
            to: Type.String(),
            windowDays: Type.Integer(),
            total: Type.Object(Counts),
            byCategory: Type.Array(Type.Object({ category: Nullable(Type.Object({ id: Type.Integer(), name: Type.String(), slug: Type.String() })), ...Counts })),
            byExpert: Type.Array(Type.Object({ expert: Type.Object({ id: Type.Integer(), handle: Type.String(), displayName: Type.String() }), ...Counts })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => crm.crmSelfService(request.ctx, request.query),
  );

  // The CRM calls this one: no session, no CSRF token; the HMAC signature over the raw body is
  // the authentication, so the body is read as text and parsed only after it verifies.
  await app.register(async (hook) => {
    hook.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: crm.WEBHOOK_LIMITS.bodyMax }, (_request, body, done) => done(null, body));
    hook.post(
      '/crm/webhooks/cases',
      {
        config: { access: 'public', csrf: false },
        bodyLimit: crm.WEBHOOK_LIMITS.bodyMax,
        schema: {
          tags: ['crm'],
          summary: 'Case updates from the CRM, signed',
          description:
            'Header `x-crm-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with CRM_WEBHOOK_SECRET. Body `{ events: [{ id, caseId, contactId?, status: open|pending|closed, resolution?, createdAt?, updatedAt }] }`, up to 100 events. A bad, missing or expired (over 5 minutes) signature gets 401 and changes nothing; an event id seen before is skipped.',
          response: { 200: WebhookResult, ...errorResponses },
        },
      },
      async (request) => {
        const signature = request.headers[crm.SIGNATURE_HEADER];
        return crm.receiveCaseWebhook(request.ctx, { body: typeof request.body === 'string' ? request.body : '', signature: typeof signature === 'string' ? signature : undefined });
      },
    );

    const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
    hook.post(
      '/crm/webhooks/hubspot',
      {
        config: { access: 'public', csrf: false },
        bodyLimit: crm.HUBSPOT_WEBHOOK_LIMITS.bodyMax,
        schema: {
          tags: ['crm'],
          summary: "HubSpot's own ticket webhooks (signature v3), when HubSpot is the CRM",
          description:
            'Subscribe the HubSpot app to ticket property changes with this URL (HUBSPOT_WEBHOOK_URL, exactly as registered) and set HUBSPOT_CLIENT_SECRET. Each ticket event queues a read of the ticket, applied like any case update. A bad, missing or expired signature gets 401; an event id seen before is skipped.',
          response: { 200: Type.Object({ queued: Type.Integer(), duplicates: Type.Integer(), ignored: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) =>
        crm.receiveHubspotWebhook(request.ctx, {
          method: request.method,
          body: typeof request.body === 'string' ? request.body : '',
          signature: header(request.headers['x-hubspot-signature-v3']),
          timestamp: header(request.headers['x-hubspot-request-timestamp']),
        }),
    );
  });
};
