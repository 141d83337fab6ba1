import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { privacy } from '@forum/core';
import { errorResponses, Nullable } from '@forum/forum/server/http/schemas';

// A member's page in the console (staff), and the two privacy requests on it (admins): the
// export of everything we hold about the member, and erasure. Core checks the same rules again.

const HandleParams = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 30 }) });

const MemberSummary = Type.Object({
  id: Type.Integer(),
  handle: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  trustLevel: Type.Integer(),
  reputation: Type.Integer(),
  createdAt: Type.String(),
  silencedUntil: Nullable(Type.String()),
  suspendedUntil: Nullable(Type.String()),
  erasedAt: Nullable(Type.String()),
  threads: Type.Integer(),
  posts: Type.Integer(),
  abilities: Type.Object({ export: Type.Boolean(), erase: Type.Boolean() }),
});

const EraseResult = Type.Object({
  id: Type.Integer(),
  handle: Type.String({ description: 'the anonymised handle, former-member-<id>' }),
  erasedAt: Type.String(),
  kept: Type.Object({ threads: Type.Integer(), posts: Type.Integer(), votes: Type.Integer() }),
  removed: Type.Record(Type.String(), Type.Integer()),
});

export const privacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/members/:handle',
    {
      schema: {
        tags: ['members'],
        summary: "A member's account facts for the console's member page, with whether the viewer may export or erase them",
        params: HandleParams,
        response: { 200: Type.Object({ member: MemberSummary }), ...errorResponses },
      },
    },
    async (request) => ({ member: await privacy.getMemberSummary(request.ctx, request.params.handle) }),
  );

  app.get(
    '/members/:handle/export',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['privacy'],
        summary: 'Everything held about the member, as a JSON file to download (admins; audited as privacy.member_exported)',
        params: HandleParams,
        response: {
          // sent already serialised (dates as ISO strings, indented for people who open the file)
          200: Type.Unsafe<string>({ type: 'object', description: 'the export document: format, version, exportedAt, account, posts, …' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const document = await privacy.exportMember(request.ctx, request.params.handle);
      const day = document.exportedAt.slice(0, 10);
      // the stored handle only has letters, digits, _ and -, so it is safe inside the quoted filename
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="member-${document.account.handle}-${day}.json"`)
        .header('cache-control', 'no-store')
        .send(JSON.stringify(document, null, 2));
    },
  );

  app.post(
    '/members/:handle/erase',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['privacy'],
        summary:
          "Erase the member: handle, name, email, password, sessions, CRM links and private data go; posts stay under 'Former member' (admins; 400 confirmation_mismatch, 409 already_erased or staff_account)",
        params: HandleParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500, description: 'why, for the audit log (the request reference, say)' }),
            confirmHandle: Type.String({ minLength: 1, maxLength: 30, description: "the member's handle again, to confirm" }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ member: EraseResult }), ...errorResponses },
      },
    },
    async (request) => ({ member: await privacy.eraseMember(request.ctx, request.params.handle, request.body) }),
  );
};
