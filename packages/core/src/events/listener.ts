import pg from 'pg';
import { EVENTS_CHANNEL, type DomainEvent } from './outbox.js';

export interface EventListener {
  close(): Promise<void>;
  /** resolves once LISTEN is active, so callers know no later event will be missed */
  ready: Promise<void>;
}

/**
 * Listens for committed events on a dedicated connection and hands each one, in commit order, to
 * `onEvent`. Every app instance runs one, so every instance sees every event (websocket fan-out
 * across instances). A notification carries the whole event when it fits in NOTIFY's 8000
 * bytes, and otherwise its id: those rows are read back in batches.
 * The connection is re-established with backoff when the server goes away.
 */
export function listenForEvents(url: string, onEvent: (event: DomainEvent) => void): EventListener {
  let client: pg.Client | null = null;
  let closed = false;
  // Notifications in commit order: a whole event as JSON, or the id of one too large to carry.
  let pending: string[] = [];
  let flushing = false;
  let retryDelay = 250;
  let resolveReady: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  function deliver(event: DomainEvent): void {
    try {
      onEvent(event);
    } catch {
      // one bad subscriber must not stop the others
    }
  }

  async function flush(): Promise<void> {
    if (flushing || !client) return;
    flushing = true;
    try {
      while (pending.length && client) {
        const batch = pending;
        pending = [];
        const ids = batch.filter((m) => !m.startsWith('{')).map(Number);
        const fetched = new Map<number, DomainEvent>();
        if (ids.length) {
          const { rows } = await client.query(`select id, name, rooms, payload, created_at from events where id = any($1::bigint[])`, [ids]);
          for (const row of rows) {
            fetched.set(Number(row.id), { id: Number(row.id), name: row.name, rooms: row.rooms, payload: row.payload, createdAt: row.created_at.toISOString() });
          }
        }
        for (const message of batch) {
          if (!message.startsWith('{')) {
            const event = fetched.get(Number(message));
            if (event) deliver(event);
            continue;
          }
          let inline: DomainEvent;
          try {
            inline = JSON.parse(message);
          } catch {
            continue;
          }
          deliver({ ...inline, id: Number(inline.id), createdAt: new Date(inline.createdAt).toISOString() });
        }
      }
    } catch {
      // the connection failed; the reconnect path takes over
    } finally {
      flushing = false;
    }
  }

  async function open(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    c.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
      pending.push(msg.payload);
      void flush();
    });
    try {
      await c.connect();
      await c.query(`listen ${EVENTS_CHANNEL}`);
      client = c;
      retryDelay = 250;
      resolveReady();
    } catch {
      reconnect(c);
    }
  }

  function reconnect(c: pg.Client): void {
    if (client === c) client = null;
    c.removeAllListeners('end');
    c.end().catch(() => {});
    if (closed) return;
    const delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, 5_000);
    setTimeout(() => void open(), delay).unref();
  }

  void open();
  return {
    ready,
    async close() {
      closed = true;
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
