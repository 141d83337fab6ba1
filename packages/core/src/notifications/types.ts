// The shapes the notifications API returns and pushes. The UI imports these as types only.

export type NotificationKind = 'reply' | 'accepted' | 'mention' | 'badge' | 'routed' | 'flag_outcome' | 'nudge' | 'private_message' | 'escalated';

export interface NotificationActor {
  id: number;
  handle: string;
  displayName: string;
}

export interface NotificationBadge {
  slug: string;
  name: string;
  tier: string | number | null;
  tag: { slug: string; name: string } | null;
}

export interface Notification {
  id: number;
  kind: NotificationKind;
  createdAt: string;
  read: boolean;
  /** one line for the list, e.g. `Alice replied to “How do I …”` */
  text: string;
  /** where clicking it goes, e.g. `/t/12#post-40` */
  link: string;
  thread: { id: number; title: string } | null;
  postId: number | null;
  /** who caused it (the replier, the member who mentioned you, the asker of a routed question) */
  actor: NotificationActor | null;
  /** the start of the post's text (replies, mentions) */
  excerpt: string | null;
  badge: NotificationBadge | null;
  /** routed questions: the thread's tags you are an expert in */
  tags: Array<{ slug: string; name: string }>;
  /** routed questions: when the community window closes and the thread goes to the agents' queue */
  windowEndsAt: string | null;
  /** flag outcomes: whether staff agreed with your flag */
  flagOutcome: 'agreed' | 'disagreed' | null;
}

export interface NotificationPage {
  notifications: Notification[];
  nextCursor: string | null;
  unreadCount: number;
}

export interface NotificationPreferences {
  /** true: do not send me routed questions */
  routingMuted: boolean;
}
