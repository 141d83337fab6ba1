import { sql, type SQL } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  customType,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { teams } from '../teams/schema.js';
import { users } from '../accounts/schema.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const threadKindEnum = pgEnum('thread_kind', ['question', 'discussion']);
export const threadStatusEnum = pgEnum('thread_status', ['open', 'answered', 'solved', 'closed']);

export const categories = pgTable('categories', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  /** how long the community has to answer before a thread enters the agents' queue */
  communityWindowMinutes: integer('community_window_minutes').notNull().default(240),
  /** hold a trust-level-0 member's posts here for staff approval until one of theirs was approved */
  holdFirstPosts: boolean('hold_first_posts').notNull().default(false),
  /** the summed weight of open flags on one post that puts its thread in the agents' queue */
  flagThreshold: integer('flag_threshold').notNull().default(3),
  /** how long agents have to resolve a queue item from when it opens (24/7 minutes for now) */
  slaMinutes: integer('sla_minutes').notNull().default(480),
  /** the team whose agents work this category's queue items, on whose calendar the SLA runs */
  teamId: integer('team_id').references((): AnyPgColumn => teams.id, { onDelete: 'set null' }),
  /** agents' replies here wait as drafts until a supervisor approves them */
  replyApproval: boolean('reply_approval').notNull().default(false),
  position: integer('position').notNull().default(0),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tags = pgTable('tags', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** the category the tag is suggested in; tags can be used anywhere */
  categoryId: integer('category_id').references(() => categories.id, { onDelete: 'set null' }),
});

export const threads = pgTable(
  'threads',
  {
    id: serial('id').primaryKey(),
    categoryId: integer('category_id')
      .notNull()
      .references(() => categories.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    kind: threadKindEnum('kind').notNull(),
    title: text('title').notNull(),
    status: threadStatusEnum('status').notNull().default('open'),
    /** the status to return to when a closed thread reopens */
    statusBeforeClose: threadStatusEnum('status_before_close'),
    acceptedPostId: integer('accepted_post_id'),
    /** replies that are not deleted */
    replyCount: integer('reply_count').notNull().default(0),
    /** the highest post position handed out, deleted posts included */
    lastPosition: integer('last_position').notNull().default(1),
    score: integer('score').notNull().default(0),
    firstPeerReplyAt: timestamp('first_peer_reply_at', { withTimezone: true }),
    firstStaffReplyAt: timestamp('first_staff_reply_at', { withTimezone: true }),
    lastActivityAt: timestamp('last_activity_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** set while its opening post awaits staff approval: only its author and staff see the thread */
    heldAt: timestamp('held_at', { withTimezone: true }),
    /** pinned threads lead their category's listing */
    pinnedAt: timestamp('pinned_at', { withTimezone: true }),
    /** set when staff merged this thread into another: readers are sent there */
    mergedIntoId: integer('merged_into_id'),
    /** set when staff moved the conversation to a private staff–customer thread */
    takenPrivateAt: timestamp('taken_private_at', { withTimezone: true }),
    /** set when an agent escalated the thread to a support case; the public page says support took it over */
    supportSince: timestamp('support_since', { withTimezone: true }),
    /** set when that case closed (cleared by a new escalation) */
    supportResolvedAt: timestamp('support_resolved_at', { withTimezone: true }),
    titleTsv: tsvector('title_tsv').generatedAlwaysAs(
      (): SQL => sql`setweight(to_tsvector('english', ${threads.title}), 'A')`,
    ),
  },
  (t) => [
    index('threads_latest_idx').on(t.lastActivityAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.deletedAt} is null`),
    index('threads_category_latest_idx')
      .on(t.categoryId, t.lastActivityAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.deletedAt} is null`),
    index('threads_status_latest_idx')
      .on(t.status, t.lastActivityAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.deletedAt} is null`),
    index('threads_author_idx').on(t.authorId, t.createdAt.desc().nullsFirst()),
    index('threads_unanswered_idx').on(t.createdAt).where(sql`${t.firstPeerReplyAt} is null and ${t.deletedAt} is null`),
    index('threads_title_tsv_idx').using('gin', t.titleTsv),
    index('threads_title_trgm_idx').using('gin', sql`${t.title} gin_trgm_ops`),
    index('threads_created_idx').on(t.createdAt),
  ],
);

export const threadTags = pgTable(
  'thread_tags',
  {
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.tagId] }), index('thread_tags_tag_idx').on(t.tagId, t.threadId)],
);

export const posts = pgTable(
  'posts',
  {
    id: serial('id').primaryKey(),
    threadId: integer('thread_id')
      .notNull()
      .references(() => threads.id),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    /** 1 for the opening post, then 2, 3, … */
    position: integer('position').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    bodyHtml: text('body_html').notNull(),
    /** plain text of the rendered body, for search and snippets */
    bodyText: text('body_text').notNull(),
    score: integer('score').notNull().default(0),
    revisionCount: integer('revision_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** set while the post awaits staff approval: only its author and staff see it, and it counts nowhere */
    heldAt: timestamp('held_at', { withTimezone: true }),
    /**
     * set while flags past the category's threshold (or staff agreeing with them) hide the post:
     * others see its place without its body; its author and staff still read it
     */
    hiddenAt: timestamp('hidden_at', { withTimezone: true }),
    /** why: `flags` (the threshold) or `staff` (a resolution that kept it hidden) */
    hiddenReason: text('hidden_reason'),
    /** an agent confirmed this peer answer as correct */
    staffVerifiedAt: timestamp('staff_verified_at', { withTimezone: true }),
    staffVerifiedById: integer('staff_verified_by_id'),
  },
  (t) => [
    index('posts_held_idx').on(t.id).where(sql`${t.heldAt} is not null and ${t.deletedAt} is null`),
    uniqueIndex('posts_thread_position_idx').on(t.threadId, t.position),
    index('posts_author_idx').on(t.authorId, t.createdAt.desc().nullsFirst()),
  ],
);

/**
 * The search index of post bodies (weight B), kept narrow so a search that matches thousands
 * of posts reads a small table. A trigger on posts keeps it in step (migration 0002): a row per
 * live post, removed when the post is deleted.
 */
export const postSearch = pgTable(
  'post_search',
  {
    postId: integer('post_id')
      .primaryKey()
      .references(() => posts.id, { onDelete: 'cascade' }),
    threadId: integer('thread_id').notNull(),
    tsv: tsvector('tsv').notNull(),
  },
  (t) => [index('post_search_tsv_idx').using('gin', t.tsv)],
);

export const postRevisions = pgTable(
  'post_revisions',
  {
    id: serial('id').primaryKey(),
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** 1 is the original text; each edit keeps the version it replaced */
    revision: integer('revision').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    title: text('title'),
    editorId: integer('editor_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('post_revisions_post_revision_idx').on(t.postId, t.revision)],
);

export const votes = pgTable(
  'votes',
  {
    postId: integer('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    value: smallint('value').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] }), index('votes_user_idx').on(t.userId)],
);
