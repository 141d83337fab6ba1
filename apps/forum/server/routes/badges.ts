import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badges } from '@forum/core';
import { BadgeRef, DateTime, errorResponses, Id, Limit, MemberBadge, Page, Slug, TagRef, UserRef } from '../http/schemas.js';

const Handle = Type.String({ minLength: 1, maxLength: 30 });
const BadgeSlug = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9_]*$' });
const Reason = Type.String({ minLength: 3, maxLength: 500, description: 'why; kept in the audit log' });

const BadgeSummary = Type.Composite([
  BadgeRef,
  Type.Object({
    description: Type.String(),
    perTag: Type.Boolean({ description: 'awarded per tag (Expert in ‹tag›)' }),
    kept: Type.Boolean({ description: 'false: lapses when the member stops qualifying' }),
    holders: Type.Integer({ description: 'members holding it now' }),
  }),
]);
const Standing = { user: UserRef, accepted: Type.Integer(), answered: Type.Integer() };
const BadgeOut = Type.Object({ badge: MemberBadge });

export const badgeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/badges',
    {
      schema: {
        tags: ['badges'],
        summary: 'The badge catalogue, with how many members hold each badge',
        response: { 200: Type.Object({ badges: Type.Array(BadgeSummary) }) },
      },
    },
    async (request) => ({ badges: await badges.listBadges(request.ctx) }),
  );

  app.get(
    '/badges/:slug',
    {
      schema: {
        tags: ['badges'],
        summary: 'One badge and its holders, newest award first',
        params: Type.Object({ slug: BadgeSlug }),
        querystring: Page,
        response: {
          200: Type.Object({
            badge: BadgeSummary,
            holders: Type.Array(Type.Object({ user: UserRef, tag: Type.Union([TagRef, Type.Null()]), grantedAt: DateTime })),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => badges.getBadge(request.ctx, request.params.slug, request.query),
  );

  app.get(
    '/users/:handle/badges',
    {
      schema: {
        tags: ['badges'],
        summary: "A member's badges (live awards, gold first)",
        params: Type.Object({ handle: Handle }),
        response: { 200: Type.Object({ badges: Type.Array(MemberBadge) }), ...errorResponses },
      },
    },
    async (request) => ({ badges: await badges.listMemberBadges(request.ctx, request.params.handle) }),
  );

  app.post(
    '/users/:handle/badges',
    {
      schema: {
        tags: ['badges'],
        summary: 'Grant a badge (staff; audited). `tag` is required for Expert and refused for other badges',
        params: Type.Object({ handle: Handle }),
        body: Type.Object({ badge: BadgeSlug, tag: Type.Optional(Type.Union([Slug, Type.Null()])), reason: Reason }, { additionalProperties: false }),
        response: { 201: BadgeOut, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ badge: await badges.grantBadge(request.ctx, request.params.handle, request.body) }),
  );

  // A POST rather than DELETE with a body: the award is kept (revoked, with who and why), and
  // bodies on DELETE are dropped by some clients and proxies.
  app.post(
    '/users/:handle/badges/:badgeId/revoke',
    {
      schema: {
        tags: ['badges'],
        summary: "Revoke one of a member's awards by its id (staff; audited). Rules do not award it again",
        params: Type.Object({ handle: Handle, badgeId: Id }),
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: BadgeOut, ...errorResponses },
      },
    },
    async (request) => ({ badge: await badges.revokeBadge(request.ctx, request.params.handle, request.params.badgeId, request.body) }),
  );

  app.get(
    '/tags/:slug/experts',
    {
      schema: {
        tags: ['badges'],
        summary: "A tag's experts ranked by accepted answers in the tag within the Expert window, and the best answerers who are not experts yet",
        params: Type.Object({ slug: Slug }),
        querystring: Type.Object({ limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            tag: TagRef,
            rule: Type.Object({ minAccepted: Type.Integer(), minRatio: Type.Number(), windowDays: Type.Integer() }),
            expertCount: Type.Integer(),
            experts: Type.Array(Type.Object({ ...Standing, since: DateTime })),
            contenders: Type.Array(Type.Object({ ...Standing, qualifies: Type.Boolean({ description: 'meets the rule now; the award follows' }) })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => badges.listTagExperts(request.ctx, request.params.slug, request.query),
  );
};
