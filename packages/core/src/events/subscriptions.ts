// Which background job kinds each domain event starts. Plain data, so the outbox can read it
// without importing the modules that handle the jobs (jobs/handlers.ts maps kinds to code).
export const EVENT_SUBSCRIPTIONS: Record<string, readonly string[]> = {
  'forum.thread.created': ['notifications.thread_created', 'badges.evaluate', 'trust.evaluate', 'queue.schedule_unanswered', 'queue.crm_rule', 'insights.sentiment'],
  'forum.post.created': ['notifications.reply_created', 'badges.evaluate', 'trust.evaluate', 'queue.thread_activity', 'insights.sentiment'],
  'forum.post.edited': ['insights.sentiment'],
  'forum.answer.accepted': ['notifications.answer_accepted', 'badges.evaluate', 'trust.evaluate', 'queue.thread_activity'],
  'badges.badge.awarded': ['notifications.badge_awarded'],
  'forum.post.voted': ['badges.evaluate', 'queue.thread_activity'],
  'forum.post.deleted': ['badges.evaluate'],
  'forum.thread.updated': ['badges.evaluate'],
  'forum.thread.deleted': ['badges.evaluate'],
  'forum.answer.unaccepted': ['badges.evaluate', 'trust.evaluate'],
  'flags.flag.raised': ['queue.flag_raised'],
  'flags.flag.resolved': ['trust.evaluate'],
  'flags.post.resolved': ['notifications.flag_outcome'],
  'polls.poll.created': ['badges.evaluate'],
  'watched_words.post.matched': ['queue.rule_matched'],
  // automatic assignment when an item opens or comes back to the queue; supervisors hear of escalations
  'queue.item.opened': ['queue.auto_assign'],
  'queue.item.released': ['queue.auto_assign'],
  'queue.item.claim_expired': ['queue.auto_assign'],
  'queue.item.escalated': ['notifications.escalated'],
};

/** Job kinds started by an event, in a stable order. */
export function subscribersOf(eventName: string): readonly string[] {
  return EVENT_SUBSCRIPTIONS[eventName] ?? [];
}
