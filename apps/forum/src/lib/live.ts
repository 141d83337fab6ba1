// Live updates over an app's websocket (/ws): the forum's and the console's pages both use this
// client (the console imports it from @forum/forum). One connection per tab, shared by every
// subscriber; rooms are re-joined after a reconnect, which backs off exponentially. The socket
// is signed in by the app's session cookie at the upgrade (rooms like `me` and `queue` need it).

export interface LiveEvent<T = unknown> {
  type: 'event';
  name: string;
  room: string;
  data: T;
}

/** `live`: the room is joined; otherwise what a page shows may be stale. */
export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface Subscription {
  handler: (event: LiveEvent<any>) => void;
  /** the socket came back after a drop: events may have been missed */
  onReconnect?: () => void;
  /** the room was joined: on the first join and after every reconnect */
  onJoined?: () => void;
  onStatus?: (status: LiveStatus, detail?: string) => void;
}

const rooms = new Map<string, Set<Subscription>>();
let socket: WebSocket | null = null;
let attempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let everConnected = false;

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
    const isReconnect = everConnected;
    everConnected = true;
    attempts = 0;
    for (const room of rooms.keys()) send({ type: 'subscribe', room });
    if (isReconnect) each(null, (sub) => sub.onReconnect?.());
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
      // e.g. the session ended: a signed-in room cannot be joined until the page signs in again
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
  // An error is always followed by close, which reconnects.
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
 * Listen to a room ("latest", "thread:42", "me", the console's "queue"), with a handler for its
 * events or a Subscription. Returns the function that stops listening; the socket closes when no
 * room is left. Browser only: call it from onMount or $effect.
 */
export function subscribe(room: string, listener: Subscription['handler'] | Subscription, onReconnect?: () => void): () => void {
  const sub: Subscription = typeof listener === 'function' ? { handler: listener, onReconnect } : listener;
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
      everConnected = false;
      const ws = socket;
      socket = null;
      ws?.close();
    }
  };
}

/**
 * Opens a new connection with the current cookies, keeping every subscription. The server reads
 * the session once per connection, so call this after logging in or out for `me` to follow.
 */
export function reconnectWithSession(): void {
  if (typeof window === 'undefined') return;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  attempts = 0;
  const ws = socket;
  socket = null;
  ws?.close();
  everConnected = false;
  connect();
}
