import WebSocket from 'ws';

export interface Message {
  type: string;
  name?: string;
  room?: string;
  data?: any;
  message?: string;
}

/** A websocket client that records what it receives and can wait for a matching message. */
export class LiveClient {
  readonly received: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as Message;
      this.received.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  /** `headers`: e.g. `{ cookie: 'sid=…' }`, for a socket that is signed in (room `me`). */
  static async connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<LiveClient> {
    const socket = new WebSocket(url, { headers: options.headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new LiveClient(socket);
  }

  send(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }

  async subscribe(room: string) {
    this.send({ type: 'subscribe', room });
    await this.waitFor((m) => m.type === 'subscribed' && m.room === room);
  }

  waitFor(match: (m: Message) => boolean, timeoutMs = 5_000): Promise<Message> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received)}`)), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  event(name: string, room?: string) {
    return this.waitFor((m) => m.type === 'event' && m.name === name && (room === undefined || m.room === room));
  }

  close() {
    this.socket.close();
  }
}
