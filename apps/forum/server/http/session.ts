import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { accounts, Forbidden, type Actor, type CoreConfig, type Ctx, type Db } from '@forum/core';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
    /** the context core services take: database, actor, clock, configuration */
    ctx: Ctx;
  }
  interface FastifyReply {
    startSession(actor: Actor): Promise<void>;
    endSession(): Promise<void>;
  }
  interface FastifyContextConfig {
    /** false on routes other servers call with a signature instead of a session (no CSRF token) */
    csrf?: false;
  }
}

export interface SessionOptions {
  db: Db;
  config: CoreConfig;
  now: () => Date;
  /** the app's own session cookie, so the forum and the console (same host, other port) do not share */
  cookieName: string;
  app: string;
  secureCookies: boolean;
}

export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Resolves the session cookie to an actor on every API request, and guards state changes with
 * a double-submit CSRF token: the `csrf_token` cookie (readable by our pages, not by other
 * sites) must come back in the `x-csrf-token` header.
 */
export const sessionPlugin = fp<SessionOptions>(async (app: FastifyInstance, opts) => {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.secureCookies };

  app.decorateRequest('actor', null);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('ctx', null as unknown as Ctx);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[opts.cookieName];
    const base: Ctx = { db: opts.db, actor: null, now: opts.now, config: opts.config };
    request.ctx = base;
    if (token && token.length <= 100) {
      const actor = await accounts.getSessionActor(base, token, opts.app);
      if (actor) {
        request.actor = actor;
        request.sessionToken = token;
        request.ctx = { ...base, actor };
      } else {
        reply.clearCookie(opts.cookieName, { path: '/' });
      }
    }
    // server-to-server callbacks (signed CRM webhooks) carry no cookies; their signature is the check
    if (request.routeOptions.config?.csrf === false) return;
    let csrf = request.cookies[CSRF_COOKIE];
    if (!csrf || csrf.length < 20 || csrf.length > 100) {
      csrf = randomBytes(24).toString('base64url');
      request.cookies[CSRF_COOKIE] = csrf;
      reply.setCookie(CSRF_COOKIE, csrf, { path: '/', httpOnly: false, sameSite: 'strict', secure: opts.secureCookies });
      if (UNSAFE.has(request.method)) throw new Forbidden('Missing CSRF token: load a page first', 'csrf_failed');
    }
    if (UNSAFE.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameToken(sent, csrf)) {
        throw new Forbidden('Missing or wrong CSRF token (send the csrf_token cookie back as the x-csrf-token header)', 'csrf_failed');
      }
    }
  });

  app.decorateReply('startSession', async function (this: FastifyReply, actor: Actor) {
    const token = await accounts.createSession(this.request.ctx, actor.id, opts.app);
    this.setCookie(opts.cookieName, token, { ...cookieOptions, maxAge: 30 * 86_400 });
  });

  app.decorateReply('endSession', async function (this: FastifyReply) {
    if (this.request.sessionToken) await accounts.endSession(this.request.ctx, this.request.sessionToken);
    this.clearCookie(opts.cookieName, { path: '/' });
  });
}, { name: 'session' });

export function csrfTokenOf(request: FastifyRequest): string {
  return request.cookies[CSRF_COOKIE] ?? '';
}
