import type { Cookies, HandleFetch, RequestEvent } from '@sveltejs/kit';

/**
 * The `handleFetch` both our SvelteKit apps use: server-side `event.fetch('/api/…')` goes to the
 * app's own Fastify API at the origin in `process.env[originVariable]` (set by the server that
 * serves the app; read at request time, so it may be set after build/handler.js is imported),
 * with the visitor's cookie, user agent and address, and the API's Set-Cookie headers are passed
 * back to the browser. Without an origin (and outside dev) requests are left alone.
 */
export function proxyApiFetch(originVariable: string, devOrigin: string | undefined): HandleFetch {
  return async ({ event, request, fetch }) => {
    const url = new URL(request.url);
    const origin = (process.env[originVariable] ?? devOrigin)?.replace(/\/+$/, '');
    if (!origin || url.origin !== event.url.origin || !url.pathname.startsWith('/api/')) {
      return fetch(request);
    }

    const headers = new Headers(request.headers);
    // SvelteKit forwards cookies to same-origin requests only; the API is another origin now.
    const cookie = event.request.headers.get('cookie');
    if (cookie) headers.set('cookie', cookie);
    else headers.delete('cookie');
    const userAgent = event.request.headers.get('user-agent');
    if (userAgent && !headers.has('user-agent')) headers.set('user-agent', userAgent);
    const clientAddress = safeClientAddress(event);
    if (clientAddress) headers.set('x-forwarded-for', clientAddress);

    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const rewritten = new Request(origin + url.pathname + url.search, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
    });

    // The global fetch, not SvelteKit's: when the page is served from the API's own origin,
    // SvelteKit's fetch would treat /api as one of its own (missing) routes.
    const response = await globalThis.fetch(rewritten);
    passSetCookies(response, event.cookies);
    return response;
  };
}

function safeClientAddress(event: RequestEvent): string | undefined {
  try {
    return event.getClientAddress();
  } catch {
    return undefined;
  }
}

/**
 * The API sets cookies (csrf_token on the first /api response, a cleared session) on responses
 * the browser never sees when the page is rendered on the server. Pass them on, so the first
 * page a visitor opens already gives the browser the CSRF cookie its mutations need.
 */
function passSetCookies(response: Response, cookies: Cookies): void {
  const lines = typeof response.headers.getSetCookie === 'function' ? response.headers.getSetCookie() : [];
  for (const line of lines) {
    const parsed = parseSetCookie(line);
    if (!parsed) continue;
    try {
      cookies.set(parsed.name, parsed.value, parsed.options);
    } catch {
      // A cookie SvelteKit refuses (e.g. invalid name) is not worth failing the page for.
    }
  }
}

type CookieOptions = Parameters<Cookies['set']>[2];

function parseSetCookie(line: string): { name: string; value: string; options: CookieOptions } | null {
  const [pair, ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  // Keep the value byte for byte: the API may sign it, and re-encoding would break the signature.
  const options: CookieOptions = { path: '/', httpOnly: false, secure: false, encode: (v: string) => v };
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attribute.slice(i + 1).trim();
    if (key === 'path') options.path = val || '/';
    else if (key === 'httponly') options.httpOnly = true;
    else if (key === 'secure') options.secure = true;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) options.maxAge = Number(val);
    else if (key === 'expires') {
      const date = new Date(val);
      if (!Number.isNaN(date.getTime())) options.expires = date;
    } else if (key === 'samesite') {
      const v = val.toLowerCase();
      if (v === 'lax' || v === 'strict' || v === 'none') options.sameSite = v;
    } else if (key === 'domain' && val) options.domain = val;
  }
  return { name, value, options };
}
