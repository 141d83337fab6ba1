import { Type, type TBoolean, type TSchema } from '@sinclair/typebox';

// Request and response schemas shared by the routes. Responses are serialised through these,
// so a field missing here never reaches a client.

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });

export const Role = Type.Union([Type.Literal('member'), Type.Literal('agent'), Type.Literal('supervisor'), Type.Literal('admin'), Type.Literal('product')]);
export const ThreadKind = Type.Union([Type.Literal('question'), Type.Literal('discussion')]);
export const ThreadStatus = Type.Union([Type.Literal('open'), Type.Literal('answered'), Type.Literal('solved'), Type.Literal('closed')]);

// Ajv coerces a path or query value like "1e400" to Infinity and then skips the bounds (they
// only test finite numbers); the allOf checks the coerced value's type again, which refuses it.
export const BoundedInteger = (bounds: { minimum: number; maximum: number }) => Type.Integer({ ...bounds, allOf: [{ type: 'integer' }] });

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
export const TagRef = Type.Object({ slug: Type.String(), name: Type.String() });
export const BadgeTier = Type.Union([Type.Literal('bronze'), Type.Literal('silver'), Type.Literal('gold')]);
export const BadgeRef = Type.Object({ slug: Type.String(), name: Type.String(), tier: BadgeTier });
export const MemberBadge = Type.Object({
  id: Type.Integer({ description: 'the award; staff revoke it by this id' }),
  badge: BadgeRef,
  tag: Nullable(TagRef),
  grantedAt: DateTime,
  source: Type.Union([Type.Literal('rule'), Type.Literal('staff')], { description: 'earned by a rule, or granted by staff' }),
  revokedAt: Nullable(DateTime),
});
/** A post's author also carries the tags they are a live Expert in, the thread's own tags first. */
export const PostAuthor = Type.Composite([UserRef, Type.Object({ expertIn: Type.Array(TagRef) })]);
export const TrustLevel = Type.Integer({ minimum: 0, maximum: 4, description: '0 new, 1 basic, 2 member, 3 regular, 4 leader' });
export const SessionUser = Type.Composite([
  UserRef,
  Type.Object({ email: Type.String(), trustLevel: TrustLevel, reputation: Type.Integer(), silenced: Type.Boolean() }),
]);

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
  pinned: Type.Optional(Type.Boolean({ description: "present (true) when staff pinned it: it leads its category's listing" })),
});

const abilities = <K extends string>(names: readonly K[]) =>
  Type.Object(Object.fromEntries(names.map((n) => [n, Type.Boolean()])) as Record<K, TBoolean>);

export const ThreadDetail = Type.Composite([
  ThreadSummary,
  Type.Object({
    acceptedPostId: Nullable(Type.Integer()),
    takenPrivateAt: Nullable(DateTime),
    support: Nullable(
      Type.Object({ since: DateTime, resolvedAt: Nullable(DateTime) }, { description: 'set when staff handed the thread to the support team as a case; nothing else about the case is public' }),
    ),
    abilities: abilities(['reply', 'edit', 'delete', 'accept', 'close', 'reopen', 'vote'] as const),
    mergedInto: Type.Optional(Type.Object({ id: Type.Integer(), title: Type.String() }, { description: 'present when staff merged this thread into another' })),
  }),
]);

export const Post = Type.Object({
  id: Type.Integer(),
  threadId: Type.Integer(),
  position: Type.Integer(),
  author: PostAuthor,
  bodyHtml: Type.String(),
  bodyMarkdown: Type.String(),
  score: Type.Integer(),
  accepted: Type.Boolean(),
  deleted: Type.Boolean(),
  held: Type.Boolean({ description: 'awaiting staff approval: only its author and staff see it' }),
  hidden: Type.Boolean({ description: 'hidden by flags pending review: others get its place without its body; its author and staff read it' }),
  staffVerifiedAt: Nullable(DateTime),
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
    Type.Object({
      joinedAt: DateTime,
      threadCount: Type.Integer(),
      answerCount: Type.Integer(),
      acceptedCount: Type.Integer(),
      reputation: Type.Integer(),
      trustLevel: TrustLevel,
      trustLevelLocked: Type.Optional(Type.Boolean({ description: 'staff viewers only' })),
      silencedUntil: Type.Optional(Nullable(DateTime)),
      suspendedUntil: Type.Optional(Nullable(DateTime)),
    }),
  ]),
  badges: Type.Array(MemberBadge),
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

// Reputation, members' standing, flags and posts held for approval.

export const ReputationEntry = Type.Object({
  id: Type.Integer(),
  reason: Type.Union([
    Type.Literal('answer_upvoted'),
    Type.Literal('question_upvoted'),
    Type.Literal('post_downvoted'),
    Type.Literal('answer_accepted'),
    Type.Literal('accepted_an_answer'),
    Type.Literal('staff_verified'),
  ]),
  points: Type.Integer(),
  undo: Type.Boolean({ description: 'reverses an earlier entry (a vote taken back or changed, an acceptance withdrawn)' }),
  post: Nullable(Type.Object({ id: Type.Integer(), threadId: Type.Integer(), threadTitle: Type.String(), path: Type.String() })),
  createdAt: DateTime,
});

export const ReputationPage = Type.Object({
  user: Type.Object({ handle: Type.String(), displayName: Type.String(), reputation: Type.Integer(), trustLevel: TrustLevel }),
  entries: Type.Array(ReputationEntry),
  nextCursor: Nullable(Type.String()),
});

export const MemberStatus = Type.Object({
  id: Type.Integer(),
  handle: Type.String(),
  trustLevel: TrustLevel,
  trustLevelLocked: Type.Boolean(),
  reputation: Type.Integer(),
  silencedUntil: Nullable(DateTime),
  suspendedUntil: Nullable(DateTime),
});

export const FlagReason = Type.Union([
  Type.Literal('spam'),
  Type.Literal('abusive'),
  Type.Literal('off_topic'),
  Type.Literal('needs_staff'),
  Type.Literal('other'),
]);
export const FlagStatus = Type.Union([Type.Literal('open'), Type.Literal('agreed'), Type.Literal('disagreed')]);

export const Flag = Type.Object({
  id: Type.Integer(),
  postId: Type.Integer(),
  reason: FlagReason,
  note: Nullable(Type.String()),
  weight: Type.Integer({ description: '1; 2 from trust level 2; 3 for staff' }),
  status: FlagStatus,
  createdAt: DateTime,
});

export const FlagReview = Type.Composite([
  Flag,
  Type.Object({
    flagger: Type.Composite([UserRef, Type.Object({ trustLevel: TrustLevel })]),
    post: Type.Object({
      id: Type.Integer(),
      threadId: Type.Integer(),
      position: Type.Integer(),
      excerpt: Type.String(),
      deleted: Type.Boolean(),
      author: UserRef,
      path: Type.String(),
    }),
    thread: Type.Object({ id: Type.Integer(), title: Type.String() }),
    openWeight: Type.Integer({ description: "the sum of the post's open flags' weights" }),
    resolvedAt: Nullable(DateTime),
    resolvedBy: Nullable(UserRef),
    resolutionNote: Nullable(Type.String()),
  }),
]);

export const HeldPost = Type.Object({
  id: Type.Integer(),
  opensThread: Type.Boolean(),
  thread: Type.Object({ id: Type.Integer(), title: Type.String(), category: Type.Object({ slug: Type.String(), name: Type.String() }) }),
  author: Type.Composite([UserRef, Type.Object({ trustLevel: TrustLevel })]),
  bodyHtml: Type.String(),
  bodyMarkdown: Type.String(),
  createdAt: DateTime,
});

export const QueueReason = Type.Union([Type.Literal('unanswered'), Type.Literal('flagged'), Type.Literal('requested'), Type.Literal('rule')]);
export const QueueStatus = Type.Union([Type.Literal('queued'), Type.Literal('claimed'), Type.Literal('escalated'), Type.Literal('resolved')]);

export const ItemPresence = Type.Object({
  user: UserRef,
  state: Type.Union([Type.Literal('viewing'), Type.Literal('drafting')]),
  seenAt: DateTime,
});

export const QueueItem = Type.Object({
  id: Type.Integer(),
  thread: ThreadSummary,
  reasons: Type.Array(QueueReason),
  status: QueueStatus,
  tracks: Type.Object({
    peer: Type.Object({ status: ThreadStatus, firstReplyAt: Nullable(DateTime) }),
    agent: Type.Object({ status: QueueStatus, firstResponseAt: Nullable(DateTime) }),
  }),
  openedAt: DateTime,
  dueAt: DateTime,
  minutesLeft: Type.Integer({ description: 'to the SLA due time (from now, or from the resolution); negative once breached' }),
  breached: Type.Boolean(),
  claimedBy: Nullable(UserRef),
  claimedAt: Nullable(DateTime),
  assignedBy: Nullable(UserRef),
  escalatedAt: Nullable(DateTime),
  tier: Nullable(Type.String()),
  priority: Type.Integer({ description: 'rank among items due at the same time, lower first: reason (flagged, rule, requested, unanswered), then tier (vip, enterprise, others)' }),
  presence: Type.Array(ItemPresence),
  lastAgentActivityAt: Nullable(DateTime),
  resolvedAt: Nullable(DateTime),
  resolvedBy: Nullable(UserRef),
  resolution: Nullable(Type.Union([Type.Literal('agent'), Type.Literal('assisted'), Type.Literal('community')])),
});

export const StaffRequest = Type.Object({ threadId: Type.Integer(), status: QueueStatus });

// The agent's workflow: notes, drafts, canned responses, private conversations, CSAT.

export const StaffNote = Type.Object({ id: Type.Integer(), threadId: Type.Integer(), itemId: Nullable(Type.Integer()), author: UserRef, body: Type.String(), createdAt: DateTime });

export const StaffDraft = Type.Object({
  id: Type.Integer(),
  thread: Type.Object({ id: Type.Integer(), title: Type.String(), category: Type.Object({ slug: Type.String(), name: Type.String() }) }),
  itemId: Nullable(Type.Integer()),
  author: UserRef,
  body: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('returned')]),
  reviewer: Nullable(UserRef),
  reviewNote: Nullable(Type.String()),
  postId: Nullable(Type.Integer()),
  createdAt: DateTime,
  reviewedAt: Nullable(DateTime),
});

export const CannedResponse = Type.Object({ id: Type.Integer(), title: Type.String(), body: Type.String(), createdBy: Nullable(UserRef), updatedAt: DateTime });

export const ConversationSummary = Type.Object({
  id: Type.Integer(),
  subject: Type.String(),
  thread: Type.Object({ id: Type.Integer(), title: Type.String() }),
  customer: UserRef,
  openedBy: UserRef,
  createdAt: DateTime,
  lastMessageAt: DateTime,
  messageCount: Type.Integer(),
});
export const PrivateConversation = Type.Composite([
  ConversationSummary,
  Type.Object({
    messages: Type.Array(Type.Object({ id: Type.Integer(), author: UserRef, bodyHtml: Type.String(), bodyMarkdown: Type.String(), createdAt: DateTime })),
  }),
]);

export const CsatResponse = Type.Object({ itemId: Type.Integer(), score: Type.Integer({ minimum: 1, maximum: 5 }), comment: Nullable(Type.String()), createdAt: DateTime });
