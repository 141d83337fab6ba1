import { Type, type TBoolean, type TSchema } from '@sinclair/typebox';

// Request and response schemas shared by the routes. Responses are serialised through these,
// so a field missing here never reaches a client.

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });

export const Role = Type.Union([Type.Literal('member'), Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin')]);
export const ThreadKind = Type.Union([Type.Literal('question'), Type.Literal('discussion')]);
export const ThreadStatus = Type.Union([Type.Literal('open'), Type.Literal('answered'), Type.Literal('solved'), Type.Literal('closed')]);

// Ajv coerces a path or query value like "1e400" to Infinity and then skips the bounds (they
// only test finite numbers); the allOf checks the coerced value's type again, which refuses it.
const BoundedInteger = (bounds: { minimum: number; maximum: number }) => Type.Integer({ ...bounds, allOf: [{ type: 'integer' }] });

export const Id = BoundedInteger({ minimum: 1, maximum: 2_147_483_647 });
export const IdParams = Type.Object({ id: Id });
export const Slug = Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9][a-z0-9-]*$' });
export const Cursor = Type.String({ minLength: 1, maxLength: 200 });
export const Limit = BoundedInteger({ minimum: 1, maximum: 50 });
export const Page = Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) });

export const UserRef = Type.Object({
  id: Type.Integer(),
  handle: Type.String(),
  displayName: Type.String(),
  role: Role,
  staff: Type.Boolean(),
});
export const SessionUser = Type.Composite([UserRef, Type.Object({ email: Type.String() })]);

export const Category = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  communityWindowMinutes: Type.Integer(),
  threadCount: Type.Integer(),
  tags: Type.Array(Type.String()),
});

export const Tag = Type.Object({ slug: Type.String(), name: Type.String(), threadCount: Type.Integer() });

export const ThreadSummary = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  kind: ThreadKind,
  status: ThreadStatus,
  category: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() }),
  tags: Type.Array(Type.String()),
  author: UserRef,
  replyCount: Type.Integer(),
  score: Type.Integer(),
  createdAt: DateTime,
  lastActivityAt: DateTime,
});

const abilities = <K extends string>(names: readonly K[]) =>
  Type.Object(Object.fromEntries(names.map((n) => [n, Type.Boolean()])) as Record<K, TBoolean>);

export const ThreadDetail = Type.Composite([
  ThreadSummary,
  Type.Object({
    acceptedPostId: Nullable(Type.Integer()),
    abilities: abilities(['reply', 'edit', 'delete', 'accept', 'close', 'reopen', 'vote'] as const),
  }),
]);

export const Post = Type.Object({
  id: Type.Integer(),
  threadId: Type.Integer(),
  position: Type.Integer(),
  author: UserRef,
  bodyHtml: Type.String(),
  bodyMarkdown: Type.String(),
  score: Type.Integer(),
  accepted: Type.Boolean(),
  deleted: Type.Boolean(),
  createdAt: DateTime,
  editedAt: Nullable(DateTime),
  revisionCount: Type.Integer(),
  myVote: Type.Integer(),
  abilities: abilities(['edit', 'delete', 'vote', 'accept'] as const),
});

export const Revision = Type.Object({
  revision: Type.Integer(),
  bodyMarkdown: Type.String(),
  title: Nullable(Type.String()),
  editor: UserRef,
  createdAt: DateTime,
});

export const SearchResult = Type.Object({ thread: ThreadSummary, snippet: Type.String(), rank: Type.Number() });

export const Profile = Type.Object({
  user: Type.Composite([
    UserRef,
    Type.Object({ joinedAt: DateTime, threadCount: Type.Integer(), answerCount: Type.Integer(), acceptedCount: Type.Integer() }),
  ]),
  threads: Type.Array(ThreadSummary),
  answers: Type.Array(
    Type.Object({
      post: Type.Object({ id: Type.Integer(), score: Type.Integer(), accepted: Type.Boolean(), createdAt: DateTime, excerpt: Type.String() }),
      thread: ThreadSummary,
    }),
  ),
});

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  }),
});

/** The error responses every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  429: ErrorBody,
};


export const PollKind = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('ranked')]);
export const PollResultsVisibility = Type.Union([Type.Literal('always'), Type.Literal('after_vote'), Type.Literal('after_close')]);

const PollResults = Type.Object({
  options: Type.Array(
    Type.Object({
      optionId: Type.Integer(),
      votes: Type.Integer(),
      percent: Type.Number(),
      voters: Type.Optional(Type.Array(UserRef, { description: 'public polls only' })),
    }),
  ),
  rounds: Type.Array(
    Type.Object({
      counts: Type.Array(Type.Object({ optionId: Type.Integer(), votes: Type.Integer() })),
      exhausted: Type.Integer(),
      eliminated: Nullable(Type.Integer()),
    }),
  ),
  winners: Type.Array(Type.Integer()),
});

export const Poll = Type.Object({
  id: Type.Integer(),
  threadId: Type.Integer(),
  question: Type.String(),
  kind: PollKind,
  minChoices: Type.Integer(),
  maxChoices: Type.Integer(),
  anonymous: Type.Boolean(),
  resultsVisibility: PollResultsVisibility,
  closesAt: Nullable(DateTime),
  closed: Type.Boolean(),
  createdAt: DateTime,
  options: Type.Array(Type.Object({ id: Type.Integer(), position: Type.Integer(), label: Type.String() })),
  ballotCount: Type.Integer(),
  myBallot: Nullable(Type.Array(Type.Integer())),
  results: Nullable(PollResults),
  abilities: abilities(['vote', 'close', 'reopen'] as const),
});
