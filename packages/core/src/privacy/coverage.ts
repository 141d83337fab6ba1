// Every column in the schema that points at users, and what an access request (export) and an
// erasure do with it. A test compares this list with the database's foreign keys, so a new table
// that refers to members cannot ship without someone deciding how privacy requests treat it.

export interface UserReference {
  /** what the export carries from it */
  exported: string;
  /** what erasure does to it */
  erased: string;
}

const STAFF_ONLY = 'staff-only column: erasure refuses staff accounts, so a member id never sits here';

export const USER_REFERENCES: Record<string, UserReference> = {
  'sessions.user_id': { exported: 'count, app and times of each session; never the token digest', erased: 'deleted' },

  'threads.author_id': { exported: 'their threads: title, kind, status, timestamps, deleted/held state', erased: 'kept on the anonymised account' },
  'posts.author_id': { exported: 'their posts with the body as written and deleted/held/hidden state', erased: 'kept on the anonymised account, text included (the issue keeps posts)' },
  'post_revisions.editor_id': { exported: 'earlier versions of posts they edited themselves', erased: 'kept: the history of kept posts' },
  'votes.user_id': { exported: 'post and value of each vote', erased: 'kept: counts stay, tied only to the anonymised account' },
  'ballots.user_id': { exported: 'poll question and the labels they chose', erased: 'kept: tallies stay, tied only to the anonymised account' },
  'flags.flagger_id': { exported: 'flags they raised with reason, note and outcome', erased: 'kept: hiding decisions depend on them' },
  'user_badges.user_id': { exported: 'badges with tag, grant and revoke times and reasons', erased: 'deleted' },
  'reputation_ledger.user_id': { exported: 'reason, points and post of each entry', erased: 'deleted, reputation and trust level reset' },
  'notifications.user_id': { exported: 'every notification with its read state', erased: 'deleted' },

  'crm_links.user_id': { exported: 'connector, contact id, status, tier and times', erased: 'deleted' },
  'crm_link_decisions.user_id': { exported: 'contacts confirmed or rejected for them, with evidence', erased: 'deleted' },
  'crm_escalations.user_id': { exported: 'case id, subject, status and resolution of escalations of their threads', erased: 'set null, with the CRM contact id' },
  'private_conversations.customer_id': { exported: 'their private conversations with staff and every message in them', erased: 'deleted with their messages' },
  'private_messages.author_id': { exported: 'inside their private conversations', erased: 'deleted with the conversation' },
  'csat_responses.user_id': { exported: 'score and comment', erased: 'score kept for the metrics, comment removed' },

  'crm_links.linked_by_id': { exported: 'no: names the agent', erased: STAFF_ONLY },
  'crm_links.unlinked_by_id': { exported: 'no: names the agent', erased: STAFF_ONLY },
  'crm_link_decisions.decided_by_id': { exported: 'no: names the agent', erased: STAFF_ONLY },
  'crm_escalations.escalated_by_id': { exported: 'no: names the agent', erased: STAFF_ONLY },
  'canned_responses.created_by_id': { exported: 'no', erased: STAFF_ONLY },
  'kb_articles.created_by_id': { exported: 'no', erased: STAFF_ONLY },
  'staff_notes.author_id': { exported: 'no: names the agent (the notes on their threads are exported without it)', erased: STAFF_ONLY },
  'staff_drafts.author_id': { exported: 'no', erased: STAFF_ONLY },
  'staff_drafts.reviewer_id': { exported: 'no', erased: STAFF_ONLY },
  'private_conversations.opened_by_id': { exported: 'no: names the agent', erased: STAFF_ONLY },
  'watched_words.created_by_id': { exported: 'no', erased: STAFF_ONLY },
  'queue_items.claimed_by_id': { exported: 'no', erased: STAFF_ONLY },
  'queue_items.assigned_by_id': { exported: 'no', erased: STAFF_ONLY },
  'queue_items.resolved_by_id': { exported: 'no', erased: STAFF_ONLY },
  'qa_reviews.agent_id': { exported: 'no', erased: STAFF_ONLY },
  'qa_reviews.reviewer_id': { exported: 'no', erased: STAFF_ONLY },
  'dashboard_agent_daily.agent_id': { exported: 'no', erased: STAFF_ONLY },
  'agent_profiles.user_id': { exported: 'no', erased: STAFF_ONLY },
  'queue_presence.user_id': { exported: 'no', erased: STAFF_ONLY },
};
