import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { watchedWords } from '@forum/core';
import { DateTime, errorResponses, IdParams, Nullable } from '@forum/forum/server/http/schemas';


const Action = Type.Union(watchedWords.WATCHED_ACTIONS.map((a) => Type.Literal(a)));

const WatchedWord = Type.Object({
  id: Type.Integer(),
  phrase: Type.String({ description: 'normalised: one space between words, lower case' }),
  action: Action,
  replacement: Nullable(Type.String({ description: 'censor rules: what replaces the phrase (null: ■■■)' })),
  tag: Nullable(Type.Object({ slug: Type.String(), name: Type.String() })),
  createdBy: Nullable(Type.Object({ handle: Type.String() })),
  createdAt: DateTime,
});

// Supervisors and admins only: the service refuses agents and members (403).
export const watchedWordRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/watched-words',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['watched-words'],
        summary: 'Watched words, oldest first',
        response: { 200: Type.Object({ watchedWords: Type.Array(WatchedWord) }), ...errorResponses },
      },
    },
    async (request) => ({ watchedWords: await watchedWords.listWatchedWords(request.ctx) }),
  );

  app.post(
    '/watched-words',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['watched-words'],
        summary: 'Watch a word or phrase (literal text, matched on word boundaries, case-insensitively); 409 when the phrase already has that action',
        body: Type.Object(
          {
            // lengths are checked after normalising, in core, so the error names the field either way
            phrase: Type.String({ maxLength: 1_000 }),
            action: Action,
            replacement: Type.Optional(Nullable(Type.String({ maxLength: 1_000 }))),
            tag: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ watchedWord: WatchedWord }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send({ watchedWord: await watchedWords.createWatchedWord(request.ctx, request.body) }),
  );

  app.delete(
    '/watched-words/:id',
    {
      config: { access: 'supervisor' },
      schema: {
        tags: ['watched-words'],
        summary: 'Stop watching a word',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await watchedWords.deleteWatchedWord(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
