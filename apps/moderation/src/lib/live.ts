// Live updates over the console's websocket (/ws), signed in by the console_sid cookie at the
// upgrade. One connection per tab; rooms are re-joined after a reconnect, which backs off
// exponentially. Each subscriber also hears whether its room is joined ("live") or not, so the
// page can say when what it shows may be stale.

export interface LiveEvent<T = unknown> {
  type: 'event';
  name: string;
  room: string;
  data: T;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

interface Subscription {
  handler: (event: LiveEvent<any>) => void;
  /** the room was joined: on the first join and after every reconnect (events may have been missed) */
  onJoined?: () => void;
  onStatus?: (status: LiveStatus, detail?: string) => void;
}

const rooms = new Map<string, Set<Subscription>>();
let socket: WebSocket | null = null;
let attempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;

function each(room: string | null, fn: (sub: Subscription) => void): void {
  const lists = room === null ? [...rooms.values()] : [rooms.get(room) ?? new Set<Subscription>()];
  for (const subs of lists) for (const sub of subs) fn(sub);
}

function send(message: { type: 'subscribe' | 'unsubscribe'; room: string }): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function connect(): void {
  if (socket || typeof window === 'undefined' || rooms.size === 0) return;
  const { protocol, host } = window.location;
  let ws: WebSocket;
  try {
    ws = new WebSocket(`${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`);
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.addEventListener('open', () => {
    attempts = 0;
    for (const room of rooms.keys()) send({ type: 'subscribe', room });
  });
  ws.addEventListener('message', (message) => {
    let payload: { type?: string; room?: string; message?: string } & Partial<LiveEvent>;
    try {
      payload = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (payload.type === 'subscribed' && payload.room) {
      each(payload.room, (sub) => {
        sub.onStatus?.('live');
        sub.onJoined?.();
      });
    } else if (payload.type === 'error') {
      // e.g. the session ended: the room cannot be joined until the page signs in again
      each(null, (sub) => sub.onStatus?.('offline', payload.message));
    } else if (payload.type === 'event' && payload.room) {
      each(payload.room, (sub) => {
        try {
          sub.handler(payload as LiveEvent);
        } catch (err) {
          console.error('live update handler failed', err);
        }
      });
    }
  });
  ws.addEventListener('close', () => {
    // A socket closed on purpose (no rooms left) is no longer `socket`: do not revive it.
    if (socket !== ws) return;
    socket = null;
    each(null, (sub) => sub.onStatus?.('offline'));
    scheduleReconnect();
  });
}

function scheduleReconnect(): void {
  if (retryTimer || rooms.size === 0) return;
  // 0.5 s, 1 s, 2 s … capped at 30 s, with jitter so a restarted server is not stampeded.
  const base = Math.min(30_000, 500 * 2 ** attempts);
  attempts += 1;
  retryTimer = setTimeout(
    () => {
      retryTimer = null;
      connect();
    },
    base / 2 + Math.random() * (base / 2),
  );
}

/**
 * Listen to a room (the console has `queue`). Returns the function that stops listening; the
 * socket closes when no room is left. Browser only: call it from onMount or $effect.
 */
export function subscribe(room: string, sub: Subscription): () => void {
  let subs = rooms.get(room);
  if (!subs) {
    rooms.set(room, (subs = new Set()));
    send({ type: 'subscribe', room });
  } else if (socket?.readyState === WebSocket.OPEN) {
    // already joined by another subscriber: this one is live at once
    queueMicrotask(() => sub.onStatus?.('live'));
  }
  subs.add(sub);
  sub.onStatus?.('connecting');
  connect();

  return () => {
    const current = rooms.get(room);
    if (!current) return;
    current.delete(sub);
    if (current.size > 0) return;
    rooms.delete(room);
    send({ type: 'unsubscribe', room });
    if (rooms.size === 0) {
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      attempts = 0;
      const ws = socket;
      socket = null;
      ws?.close();
    }
  };
}
