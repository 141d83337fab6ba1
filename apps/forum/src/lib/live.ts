// Live updates over the forum's websocket (/ws). One connection per tab, shared by every
// subscriber; rooms are re-subscribed after a reconnect, which backs off exponentially.

export interface LiveEvent<T = unknown> {
  type: 'event';
  name: string;
  room: string;
  data: T;
}

type Handler = (event: LiveEvent<any>) => void;

interface Subscription {
  handler: Handler;
  /** called after a reconnect, when events may have been missed */
  onReconnect?: () => void;
}

const rooms = new Map<string, Set<Subscription>>();
let socket: WebSocket | null = null;
let attempts = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let everConnected = false;

function url(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`;
}

function sendSubscribe(room: string, type: 'subscribe' | 'unsubscribe' = 'subscribe'): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type, room }));
}

function connect(): void {
  if (socket || typeof window === 'undefined' || rooms.size === 0) return;
  let ws: WebSocket;
  try {
    ws = new WebSocket(url());
  } catch {
    scheduleReconnect();
    return;
  }
  socket = ws;

  ws.addEventListener('open', () => {
    const isReconnect = everConnected;
    everConnected = true;
    attempts = 0;
    for (const room of rooms.keys()) sendSubscribe(room);
    if (isReconnect) {
      for (const subs of rooms.values()) for (const sub of subs) sub.onReconnect?.();
    }
  });

  ws.addEventListener('message', (message) => {
    let payload: LiveEvent;
    try {
      payload = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (payload?.type !== 'event') return;
    for (const sub of rooms.get(payload.room) ?? []) {
      try {
        sub.handler(payload);
      } catch (err) {
        console.error('live update handler failed', err);
      }
    }
  });

  ws.addEventListener('close', () => {
    // A socket we closed on purpose (no rooms left) is no longer `socket`: do not revive it.
    if (socket !== ws) return;
    socket = null;
    scheduleReconnect();
  });
  // An error is always followed by close, which reconnects.
}

function scheduleReconnect(): void {
  if (retryTimer || rooms.size === 0) return;
  // 0.5s, 1s, 2s … capped at 30s, with jitter so a restarted server is not stampeded.
  const base = Math.min(30_000, 500 * 2 ** attempts);
  attempts += 1;
  const delay = base / 2 + Math.random() * (base / 2);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, delay);
}

/**
 * Listen to a room ("latest" or "thread:42"). Returns the function that stops listening; the
 * socket closes when no room is left. Browser only: call it from onMount or $effect.
 */
export function subscribe(room: string, handler: Handler, onReconnect?: () => void): () => void {
  const sub: Subscription = { handler, onReconnect };
  let subs = rooms.get(room);
  if (!subs) {
    subs = new Set();
    rooms.set(room, subs);
    sendSubscribe(room);
  }
  subs.add(sub);
  connect();

  return () => {
    const current = rooms.get(room);
    if (!current) return;
    current.delete(sub);
    if (current.size > 0) return;
    rooms.delete(room);
    sendSubscribe(room, 'unsubscribe');
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
 * the session once per connection, so call this after logging in or out for the `me` room to follow.
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
