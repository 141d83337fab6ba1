// Collision control from an open item page: tell the other consoles that this staff member is
// viewing the item, or drafting a reply on it, and keep the mark fresh while the page is open.
import { api, type ItemPresence, type PresenceState } from './api';

/** The server keeps a mark for config.queue.presenceSeconds (45 s); refresh well within it. */
export const PRESENCE_REFRESH_MS = 20_000;

/**
 * Starts sending presence for `itemId`: `state()` now and every 20 s, and again whenever
 * `changed()` is called (the reply box gained or lost text). Returns a stop function that says
 * 'left'. `onpresence` receives the item's fresh presence after each send.
 */
export function trackPresence(itemId: number, state: () => PresenceState, onpresence: (presence: ItemPresence[]) => void) {
  let last: PresenceState | null = null;
  let stopped = false;
  const send = async (force: boolean) => {
    const now = state();
    if (stopped || (!force && now === last)) return;
    last = now;
    try {
      onpresence((await api().presence(itemId, now)).presence);
    } catch {
      // a resolved item or a dropped connection: the mark simply lapses
    }
  };
  void send(true);
  const timer = setInterval(() => void send(true), PRESENCE_REFRESH_MS);
  return {
    changed: () => void send(false),
    stop: () => {
      stopped = true;
      clearInterval(timer);
      void api()
        .presence(itemId, 'left')
        .catch(() => {});
    },
  };
}
