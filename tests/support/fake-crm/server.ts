import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  /** path and query string, as the client sent it */
  path: string;
}

export interface FakeRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  /** the parsed JSON body, or undefined when there was none */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
}

/**
 * An HTTP server on 127.0.0.1 that can stop and listen again on the same port, keeping whatever
 * state the handler closes over: outage tests stop it mid-operation and bring it back.
 */
export interface RestartableServer {
  readonly port: number;
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** while set, every request is answered with this status (a vendor outage that still answers) */
  failWith(status: number | null): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRestartableServer(port: number, handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>, failureBody: (status: number) => unknown): Promise<RestartableServer> {
  const requests: LoggedRequest[] = [];
  let failing: number | null = null;
  let server: http.Server | null = null;
  let boundPort = port;

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        requests.push({ method: req.method ?? 'GET', path: req.url ?? '/' });
        let reply: FakeResponse;
        try {
          if (failing !== null) {
            reply = { status: failing, body: failureBody(failing) };
          } else {
            const raw = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = raw ? JSON.parse(raw) : undefined;
            } catch {
              reply = { status: 400, body: failureBody(400) };
              return send(res, reply);
            }
            reply = await handle({ method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body });
          }
        } catch (err) {
          reply = { status: 500, body: { message: String(err) } };
        }
        send(res, reply);
      })();
    });
  };

  function send(res: http.ServerResponse, reply: FakeResponse) {
    if (reply.body === undefined) {
      res.writeHead(reply.status).end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  async function listen() {
    const s = http.createServer(onRequest);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => {
        s.off('error', reject);
        resolve();
      });
    });
    boundPort = (s.address() as AddressInfo).port;
    server = s;
  }

  async function stop() {
    const s = server;
    if (!s) return;
    server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      // keep-alive sockets would hold the port; an outage drops them too
      s.closeAllConnections();
    });
  }

  await listen();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    requests,
    failWith(status) {
      failing = status;
    },
    stop,
    async restart() {
      await stop();
      await listen();
    },
  };
}

/** Timestamps that only move forward, in whole steps (`stepMs`), however fast the test writes. */
export function forwardClock(stepMs: number) {
  let last = 0;
  return () => {
    const now = Math.floor(Date.now() / stepMs) * stepMs;
    last = Math.max(now, last + stepMs);
    return new Date(last);
  };
}

/** The bearer token from an Authorization header, or null. */
export function bearer(headers: http.IncomingHttpHeaders): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
  return m ? m[1].trim() : null;
}
