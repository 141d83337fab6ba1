import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Actor, Ctx } from '../context.js';
import type { Db } from '../db/client.js';
import { Conflict, DomainError, Unauthenticated } from '../errors.js';
import type { Role } from '../forum/types.js';
import { assertUnderRateLimit, consumeRateLimit } from '../ratelimit/service.js';
import { sessions, users } from './schema.js';

const SESSION_DAYS = 30;
// Argon2id (the library's default algorithm) with OWASP's recommended minimum cost.
const HASH_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
let dummyHash: Promise<string> | null = null;

export interface SignupInput {
  handle: string;
  email: string;
  password: string;
  displayName?: string;
  role?: Role;
}

/**
 * Creates a member account. Checks the sign-up rate limit for `clientKey`, and throws
 * Conflict (handle_taken, email_taken) when the handle or email is already used.
 */
export async function signUp(ctx: Ctx, input: SignupInput, clientKey?: string): Promise<Actor> {
  if (clientKey) await consumeRateLimit(ctx, `signup:${clientKey}`, ctx.config.rateLimits.signup);
  // erasure renames accounts former-member-<id>: nobody may pose as one
  if (/^former-member-/i.test(input.handle)) throw new Conflict('handle_taken', 'That handle is taken');
  const passwordHash = await hash(input.password, HASH_OPTIONS);
  const existing = await ctx.db
    .select({ handle: users.handle, email: users.email })
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${input.handle}) or lower(${users.email}) = lower(${input.email})`);
  for (const row of existing) {
    if (row.handle.toLowerCase() === input.handle.toLowerCase()) throw new Conflict('handle_taken', 'That handle is taken');
    throw new Conflict('email_taken', 'An account with that email already exists');
  }
  try {
    const [user] = await ctx.db
      .insert(users)
      .values({
        handle: input.handle,
        email: input.email,
        passwordHash,
        displayName: input.displayName ?? input.handle,
        role: input.role ?? 'member',
        createdAt: ctx.now(),
      })
      .returning();
    return toActor(user, ctx.now());
  } catch (error) {
    // Two sign-ups racing for the same handle: the unique index decides.
    const constraint = (error as { cause?: { constraint?: string }; constraint?: string }).cause?.constraint ?? (error as { constraint?: string }).constraint;
    if (constraint === 'users_handle_lower_idx') throw new Conflict('handle_taken', 'That handle is taken');
    if (constraint === 'users_email_lower_idx') throw new Conflict('email_taken', 'An account with that email already exists');
    throw error;
  }
}

/**
 * Checks a handle-or-email and password. Throws InvalidCredentials without saying which part
 * was wrong, and RateLimited once `clientKey` has failed too often (successful log-ins do not count).
 */
export async function logIn(ctx: Ctx, login: string, password: string, clientKey?: string): Promise<Actor> {
  const limitKey = clientKey && `login:${clientKey}`;
  if (limitKey) await assertUnderRateLimit(ctx, limitKey, ctx.config.rateLimits.login);
  const [user] = await ctx.db
    .select()
    .from(users)
    .where(sql`lower(${users.handle}) = lower(${login}) or lower(${users.email}) = lower(${login})`)
    .limit(1);
  // Verify against a dummy hash when there is no such user, so timing does not reveal accounts.
  dummyHash ??= hash('not a real password', HASH_OPTIONS);
  const ok = await verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
  if (!user || !ok) {
    if (limitKey) await consumeRateLimit(ctx, limitKey, ctx.config.rateLimits.login);
    throw new InvalidCredentials();
  }
  if (user.suspendedUntil && user.suspendedUntil > ctx.now()) throw new Suspended(user.suspendedUntil);
  return toActor(user, ctx.now());
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super('invalid_credentials', 'That handle or email and password do not match');
  }
}

/** A suspended member's correct password still does not log them in; they are told until when. */
export class Suspended extends DomainError {
  constructor(public until: Date) {
    super('account_suspended', `This account is suspended until ${until.toISOString()}`);
  }
}

const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session for `userId` in `app` and returns the token for the cookie. */
export async function createSession(ctx: Ctx, userId: number, app: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  await ctx.db.insert(sessions).values({
    id: tokenDigest(token),
    userId,
    app,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
  });
  return token;
}

// Every logged-in request resolves its session, so the lookup is a prepared statement per pool.
function prepareSessionLookup(db: Db) {
  return db
    .select({
      id: users.id,
      handle: users.handle,
      displayName: users.displayName,
      role: users.role,
      trustLevel: users.trustLevel,
      silenced: sql<boolean>`coalesce(${users.silencedUntil} > ${sql.placeholder('now')}, false)`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sql.placeholder('id')),
        eq(sessions.app, sql.placeholder('app')),
        gt(sessions.expiresAt, sql.placeholder('now')),
        sql`(${users.suspendedUntil} is null or ${users.suspendedUntil} <= ${sql.placeholder('now')})`,
      ),
    )
    .prepare('accounts_session_actor');
}
const sessionLookups = new WeakMap<Db, ReturnType<typeof prepareSessionLookup>>();

/** The actor behind a session cookie, or null when the token is unknown or expired. */
export async function getSessionActor(ctx: Ctx, token: string, app: string): Promise<Actor | null> {
  let lookup = sessionLookups.get(ctx.db);
  if (!lookup) sessionLookups.set(ctx.db, (lookup = prepareSessionLookup(ctx.db)));
  const [row] = await lookup.execute({ id: tokenDigest(token), app, now: ctx.now() });
  return row ?? null;
}

export async function endSession(ctx: Ctx, token: string): Promise<void> {
  await ctx.db.delete(sessions).where(eq(sessions.id, tokenDigest(token)));
}

export async function getSessionUser(ctx: Ctx): Promise<(Actor & { email: string; reputation: number }) | null> {
  if (!ctx.actor) return null;
  const [row] = await ctx.db
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, role: users.role, email: users.email, trustLevel: users.trustLevel, reputation: users.reputation, silencedUntil: users.silencedUntil })
    .from(users)
    .where(eq(users.id, ctx.actor.id));
  if (!row) throw new Unauthenticated();
  const { silencedUntil, ...rest } = row;
  return { ...rest, silenced: silencedUntil !== null && silencedUntil > ctx.now() };
}

function toActor(user: typeof users.$inferSelect, now: Date): Actor {
  return {
    id: user.id,
    handle: user.handle,
    displayName: user.displayName,
    role: user.role,
    trustLevel: user.trustLevel,
    silenced: user.silencedUntil !== null && user.silencedUntil > now,
  };
}

/** Deletes expired sessions; any instance may run it at any time. */
export async function pruneExpiredSessions(ctx: Ctx): Promise<number> {
  const result = await ctx.db.delete(sessions).where(lt(sessions.expiresAt, ctx.now()));
  return result.rowCount ?? 0;
}
