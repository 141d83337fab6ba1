// What the bench's scenarios send: sessions logged in as a browser logs in (docs/api.md's CSRF
// double-submit), and request templates that take their paths in turn. run.ts (the forum) and
// console.ts (the console) share them.
import type { Request } from 'autocannon';
import type { LoadResult } from './load.js';

export interface Scenario {
  name: string;
  connections: number;
  requests: Request[];
  /** one request sent before the load, to check the scenario does what it says */
  check(origin: string): Promise<string>;
  target: string;
  met(r: LoadResult): boolean;
  /** changes the data, so it runs after every read scenario */
  writes?: boolean;
}

export interface Session {
  handle: string;
  cookie: string;
  csrf: string;
}

function cookiesOf(response: Response): Record<string, string> {
  return Object.fromEntries(
    response.headers.getSetCookie().map((c) => {
      const pair = c.split(';')[0];
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    }),
  );
}

/** Logs in as a browser does: the CSRF cookie from /api/session, then /api/auth/login; `sessionCookie` is the app's (sid or console_sid). */
export async function logIn(origin: string, handle: string, password: string, sessionCookie = 'sid'): Promise<Session> {
  const first = await fetch(`${origin}/api/session`);
  const csrf = cookiesOf(first).csrf_token;
  if (!first.ok || !csrf) throw new Error(`GET ${origin}/api/session: ${first.status}, no csrf_token cookie`);
  const login = await fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `csrf_token=${csrf}`, 'x-csrf-token': csrf },
    body: JSON.stringify({ login: handle, password }),
  });
  const sid = cookiesOf(login)[sessionCookie];
  if (!login.ok || !sid) throw new Error(`POST ${origin}/api/auth/login as ${handle}: ${login.status} ${await login.text()}`);
  return { handle, cookie: `${sessionCookie}=${sid}; csrf_token=${csrf}`, csrf };
}

/** One request template that takes the paths in turn (and per-request extras, e.g. a member's cookie). */
export function rotating(paths: string[], extra: (i: number) => Partial<Request> = () => ({})): Request[] {
  let i = 0;
  const setupRequest = (request: Request): Request => {
    const n = i++;
    return { ...request, path: paths[n % paths.length], ...extra(n) };
  };
  return [{ setupRequest }];
}

/** Each request with the cookie of the next session in turn. */
export const asEach = (sessions: Session[]) => (i: number) => ({ headers: { cookie: sessions[i % sessions.length].cookie } });
