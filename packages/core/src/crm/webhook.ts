import { createHmac, timingSafeEqual } from 'node:crypto';
import { lt } from 'drizzle-orm';
import { within, type Ctx } from '../context.js';
import { Invalid, Unauthenticated } from '../errors.js';
import { applyCaseUpdate } from './escalation.js';
import { crmWebhookReceipts } from './schema.js';
import { crmConnector } from './service.js';
import type { CrmCaseStatus, CrmCaseUpdate } from './types.js';

// Case updates pushed by the CRM (or the integration that sits between it and us). Each
// delivery is signed: header `x-crm-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>" with the shared secret>`. A bad or missing signature, or one older than five
// minutes (a captured delivery replayed later), gets 401 and changes nothing. Each event carries
// the CRM's event id; one already applied is skipped, so a delivery retried by the sender (or
// replayed within the window) applies once.

export const WEBHOOK_LIMITS = { bodyMax: 256 * 1024, eventsMax: 100, toleranceSeconds: 300 } as const;
export const SIGNATURE_HEADER = 'x-crm-signature';

const STATUSES: readonly CrmCaseStatus[] = ['open', 'pending', 'closed'];

/** The signature header value for `body` at `at`: what senders (and tests) compute. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function verify(secret: string | null, header: string | undefined, body: string, now: Date): void {
  if (!secret) throw new Unauthenticated('Case-update webhooks are not configured (set CRM_WEBHOOK_SECRET)');
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1 ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given)) throw new Unauthenticated('Missing or malformed signature');
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw new Unauthenticated('Bad signature');
  if (Math.abs(now.getTime() / 1000 - t) > WEBHOOK_LIMITS.toleranceSeconds) throw new Unauthenticated('Signature expired: the delivery is older than five minutes');
}

interface WebhookEvent {
  id: string;
  caseId: string;
  contactId: string | null;
  status: CrmCaseStatus;
  resolution: string | null;
  createdAt: string;
  updatedAt: string;
}

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is string => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));

/** The body's events, or Invalid naming the first bad field (events[2].status …). */
function parseEvents(body: string): WebhookEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new Invalid({ body: 'must be JSON' });
  }
  const events = (data as { events?: unknown })?.events;
  if (!Array.isArray(events) || events.length === 0) throw new Invalid({ events: 'must be a non-empty array' });
  if (events.length > WEBHOOK_LIMITS.eventsMax) throw new Invalid({ events: `must hold at most ${WEBHOOK_LIMITS.eventsMax} events` });
  return events.map((e: Record<string, unknown>, i): WebhookEvent => {
    const at = (field: string, reason: string) => new Invalid({ [`events[${i}].${field}`]: reason });
    if (typeof e !== 'object' || e === null) throw new Invalid({ [`events[${i}]`]: 'must be an object' });
    if (!isText(e.id, 200)) throw at('id', 'must be a string of 1 to 200 characters');
    if (!isText(e.caseId, 64)) throw at('caseId', 'must be a string of 1 to 64 characters');
    if (e.contactId != null && !isText(e.contactId, 64)) throw at('contactId', 'must be a string of 1 to 64 characters');
    if (!STATUSES.includes(e.status as CrmCaseStatus)) throw at('status', 'must be open, pending or closed');
    if (e.resolution != null && (typeof e.resolution !== 'string' || e.resolution.length > 20_000)) throw at('resolution', 'must be a string of at most 20000 characters');
    if (!isTime(e.updatedAt)) throw at('updatedAt', 'must be an ISO 8601 time');
    if (e.createdAt != null && !isTime(e.createdAt)) throw at('createdAt', 'must be an ISO 8601 time');
    return {
      id: e.id,
      caseId: e.caseId,
      contactId: (e.contactId as string | null) ?? null,
      status: e.status as CrmCaseStatus,
      resolution: (e.resolution as string | null) ?? null,
      createdAt: (e.createdAt as string | undefined) ?? e.updatedAt,
      updatedAt: e.updatedAt,
    };
  });
}

export interface WebhookResult {
  applied: number;
  /** events whose id was seen before */
  duplicates: number;
  /** events older than what the forum already had, or for cases it did not escalate */
  ignored: number;
}

/**
 * Verifies and applies one webhook delivery (no actor: the signature is the authentication).
 * Unauthenticated for a bad, missing or expired signature; Invalid for a malformed body. All
 * events of a delivery apply in one transaction.
 */
export async function receiveCaseWebhook(ctx: Pick<Ctx, 'db' | 'now' | 'config'>, input: { body: string; signature: string | undefined }): Promise<WebhookResult> {
  const now = ctx.now();
  verify(ctx.config.crm.webhookSecret, input.signature, input.body, now);
  const events = parseEvents(input.body);
  const jobCtx: Ctx = { ...ctx, actor: null };
  const connector = crmConnector(jobCtx).name;
  return ctx.db.transaction(async (tx) => {
    const scoped = within(jobCtx, tx);
    const result: WebhookResult = { applied: 0, duplicates: 0, ignored: 0 };
    for (const e of events) {
      const fresh = await tx.insert(crmWebhookReceipts).values({ connector, eventId: e.id, receivedAt: now }).onConflictDoNothing().returning({ id: crmWebhookReceipts.eventId });
      if (!fresh.length) {
        result.duplicates++;
        continue;
      }
      const update: CrmCaseUpdate = { connector, caseId: e.caseId, contactId: e.contactId, createdAt: e.createdAt, status: e.status, resolution: e.resolution, updatedAt: e.updatedAt, eventId: e.id };
      if ((await applyCaseUpdate(scoped, update)) === 'applied') result.applied++;
      else result.ignored++;
    }
    return result;
  });
}

/**
 * Forgets webhook event ids received before `before`: senders retry a delivery for a day or two
 * at most, and an update older than the one applied changes nothing anyway. Returns how many.
 */
export async function pruneWebhookReceipts(db: Pick<Ctx, 'db'>['db'], before: Date): Promise<number> {
  const removed = await db.delete(crmWebhookReceipts).where(lt(crmWebhookReceipts.receivedAt, before)).returning({ id: crmWebhookReceipts.eventId });
  return removed.length;
}
