import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notifications } from '@forum/core';
import { Cursor, DateTime, errorResponses, Limit, Nullable } from '../http/schemas.js';

const TagRef = Type.Object({ slug: Type.String(), name: Type.String() });
// Notification ids are bigserial, so not bounded like the 32-bit ids of threads and posts; the
// allOf refuses a query value Ajv coerced to Infinity, as schemas.ts explains.
const NotificationId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, allOf: [{ type: 'integer' }] });
const NotificationIdParams = Type.Object({ id: NotificationId });

const Notification = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('reply'), Type.Literal('accepted'), Type.Literal('mention'), Type.Literal('badge'), Type.Literal('routed'), Type.Literal('flag_outcome'), Type.Literal('nudge'), Type.Literal('private_message'), Type.Literal('escalated')]),
  createdAt: DateTime,
  read: Type.Boolean(),
  text: Type.String({ description: 'one line for the list' }),
  link: Type.String({ description: 'the page it is about, e.g. /t/12#post-40' }),
  thread: Nullable(Type.Object({ id: Type.Integer(), title: Type.String() })),
  postId: Nullable(Type.Integer()),
  actor: Nullable(Type.Object({ id: Type.Integer(), handle: Type.String(), displayName: Type.String() })),
  excerpt: Nullable(Type.String()),
  badge: Nullable(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      tier: Type.Union([Type.String(), Type.Number(), Type.Null()]),
      tag: Nullable(TagRef),
    }),
  ),
  tags: Type.Array(TagRef, { description: 'routed questions: the tags you are an expert in' }),
  windowEndsAt: Nullable(DateTime),
  flagOutcome: Nullable(Type.Union([Type.Literal('agreed'), Type.Literal('disagreed')], { description: 'flag outcomes: whether staff agreed with your flag' })),
});
const UnreadCount = Type.Object({ unreadCount: Type.Integer() });
const Preferences = Type.Object({ routingMuted: Type.Boolean() }, { additionalProperties: false });
const Flag = Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')]);

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your notifications, newest first, with your unread count',
        querystring: Type.Object(
          { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor), unread: Type.Optional(Flag) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ notifications: Type.Array(Notification), nextCursor: Nullable(Type.String()), unreadCount: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, cursor, unread } = request.query;
      return notifications.listNotifications(request.ctx, { limit, cursor, unreadOnly: unread === '1' || unread === 'true' });
    },
  );

  app.get(
    '/notifications/unread-count',
    { schema: { tags: ['notifications'], summary: 'How many of your notifications are unread', response: { 200: UnreadCount, ...errorResponses } } },
    async (request) => notifications.getUnreadCount(request.ctx),
  );

  app.post(
    '/notifications/read-all',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark all your notifications read (or those up to an id: the newest one you showed)',
        body: Type.Optional(Type.Object({ upTo: Type.Optional(NotificationId) }, { additionalProperties: false })),
        response: { 200: Type.Object({ marked: Type.Integer(), unreadCount: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => notifications.markAllRead(request.ctx, { upTo: request.body?.upTo }),
  );

  app.post(
    '/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of your notifications read',
        params: NotificationIdParams,
        response: { 200: Type.Object({ notification: Notification, unreadCount: Type.Integer() }), ...errorResponses },
      },
    },
    async (request) => notifications.markRead(request.ctx, request.params.id),
  );

  app.get(
    '/me/preferences',
    { schema: { tags: ['notifications'], summary: 'Your notification preferences', response: { 200: Preferences, ...errorResponses } } },
    async (request) => notifications.getPreferences(request.ctx),
  );

  app.put(
    '/me/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Set your notification preferences (routingMuted: no routed questions)',
        body: Preferences,
        response: { 200: Preferences, ...errorResponses },
      },
    },
    async (request) => notifications.updatePreferences(request.ctx, request.body),
  );
};
