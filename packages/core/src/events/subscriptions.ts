// Which background job kinds each domain event starts. Plain data, so the outbox can read it
// without importing the modules that handle the jobs (jobs/handlers.ts maps kinds to code).
export const EVENT_SUBSCRIPTIONS: Record<string, readonly string[]> = {};

/** Job kinds started by an event, in a stable order. */
export function subscribersOf(eventName: string): readonly string[] {
  return EVENT_SUBSCRIPTIONS[eventName] ?? [];
}
