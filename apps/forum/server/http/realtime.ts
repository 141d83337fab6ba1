import type { FastifyInstance, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { listenForEvents, type DomainEvent, type EventListener } from '@forum/core';

export interface RealtimeOptions {
  databaseUrl: string;
  /** which rooms a client may join; anything else is refused */
  roomPattern: RegExp;
  /**
   * Who opened the socket: the member id behind the upgrade request's session cookie, or null.
   * Only such a socket may join `me`, its member's personal room.
   */
  identify?: (request: FastifyRequest) => Promise<number | null>;
  /** rooms only a signed-in socket (one `identify` named) may join, e.g. the console's `queue` */
  privateRooms?: RegExp;
}

/** What a client calls its own personal room; events for member 7 are addressed to `user:7`. */
const ME = 'me';
const personalRoom = (userId: number) => `user:${userId}`;
const isPersonalRoom = (room: string) => room.startsWith('user:');

/**
 * Browsers send our cookies with a websocket that another page opens too (another port or
 * subdomain passes SameSite=Lax), so only a socket from our own origin, or from a client that
 * is not a browser (no Origin header), is signed in.
 */
function fromOwnOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

const MAX_ROOMS_PER_SOCKET = 50;
const MAX_MESSAGE_BYTES = 1_024;
/** a client that has this much unsent data is too slow to keep: it is dropped, not the server */
const MAX_BUFFERED_BYTES = 1_000_000;

declare module 'fastify' {
  interface FastifyInstance {
    realtime: {
      ready: Promise<void>;
      clients(): number;
      /** runs before the event is pushed to sockets, e.g. to drop cached pages it changes */
      onEvent(listener: (event: DomainEvent) => void): void;
    };
  }
}

/**
 * The websocket endpoint at /ws: clients join rooms, and every committed domain event from the
 * outbox (through LISTEN/NOTIFY, so from any app instance) is pushed to the rooms it names.
 * A signed-in socket may also join `me`: events addressed to `user:<its member>` reach every
 * socket (tab) of that member, and nobody can join `user:<id>` by name. The session is read
 * once, at the upgrade. It never queries for data itself beyond that and the event rows.
 */
export async function registerRealtime(app: FastifyInstance, opts: RealtimeOptions): Promise<void> {
  const rooms = new Map<string, Set<WebSocket>>();
  const joined = new Map<WebSocket, Set<string>>();

  const eventListeners: Array<(event: DomainEvent) => void> = [];

  function deliver(event: DomainEvent): void {
    for (const listener of eventListeners) listener(event);
    for (const room of event.rooms) {
      const sockets = rooms.get(room);
      if (!sockets) continue;
      const message = JSON.stringify({ type: 'event', name: event.name, room: isPersonalRoom(room) ? ME : room, data: event.payload });
      for (const socket of sockets) send(socket, message);
    }
  }

  function send(socket: WebSocket, message: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(message);
  }

  function leaveAll(socket: WebSocket): void {
    for (const room of joined.get(socket) ?? []) {
      const set = rooms.get(room);
      set?.delete(socket);
      if (set && set.size === 0) rooms.delete(room);
    }
    joined.delete(socket);
  }

  const listener: EventListener = listenForEvents(opts.databaseUrl, deliver);
  app.decorate('realtime', {
    ready: listener.ready,
    clients: () => joined.size,
    onEvent: (fn: (event: DomainEvent) => void) => void eventListeners.push(fn),
  });
  app.addHook('onClose', async () => {
    await listener.close();
    for (const socket of joined.keys()) socket.terminate();
  });

  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });
  const socketUser = new WeakMap<FastifyRequest, number | null>();
  const identify = async (request: FastifyRequest) => {
    try {
      socketUser.set(request, opts.identify && fromOwnOrigin(request) ? await opts.identify(request) : null);
    } catch {
      // no session store right now: the socket is anonymous, public rooms still work
      socketUser.set(request, null);
    }
  };
  app.get('/ws', { websocket: true, schema: { hide: true }, preValidation: identify }, (socket, request) => {
    const userId = socketUser.get(request) ?? null;
    const mine = new Set<string>();
    joined.set(socket, mine);
    socket.on('close', () => leaveAll(socket));
    socket.on('error', () => leaveAll(socket));
    socket.on('message', (raw) => {
      let message: { type?: unknown; room?: unknown };
      try {
        message = JSON.parse(raw.toString());
      } catch {
        return send(socket, JSON.stringify({ type: 'error', message: 'messages must be JSON' }));
      }
      const room = typeof message.room === 'string' ? message.room : '';
      if (message.type === 'ping') return send(socket, JSON.stringify({ type: 'pong' }));
      let target = room;
      if (room === ME) {
        if (userId === null) return send(socket, JSON.stringify({ type: 'error', message: 'room me needs a signed-in session: log in, then reconnect' }));
        target = personalRoom(userId);
      } else if (!opts.roomPattern.test(room)) {
        return send(socket, JSON.stringify({ type: 'error', message: `unknown room: ${room.slice(0, 60)}` }));
      } else if (userId === null && opts.privateRooms?.test(room)) {
        return send(socket, JSON.stringify({ type: 'error', message: `room ${room} needs a signed-in session: log in, then reconnect` }));
      }
      if (message.type === 'subscribe') {
        if (!mine.has(target) && mine.size >= MAX_ROOMS_PER_SOCKET) {
          return send(socket, JSON.stringify({ type: 'error', message: `at most ${MAX_ROOMS_PER_SOCKET} rooms per connection` }));
        }
        mine.add(target);
        let set = rooms.get(target);
        if (!set) rooms.set(target, (set = new Set()));
        set.add(socket);
        return send(socket, JSON.stringify({ type: 'subscribed', room }));
      }
      if (message.type === 'unsubscribe') {
        mine.delete(target);
        rooms.get(target)?.delete(socket);
        return send(socket, JSON.stringify({ type: 'unsubscribed', room }));
      }
      send(socket, JSON.stringify({ type: 'error', message: 'type must be subscribe, unsubscribe or ping' }));
    });
  });
}
