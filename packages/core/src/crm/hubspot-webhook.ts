import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../context.js';
import type { Db } from '../db/client.js';
import { Conflict, Invalid, Unauthenticated } from '../errors.js';
import { enqueueJob, type JobHandlers, type JobPayload } from '../events/jobs.js';
import { applyCaseUpdate } from './escalation.js';
import { crmWebhookReceipts } from './schema.js';
import { crmConnector } from './service.js';

// HubSpot's own ticket webhooks, when HubSpot is the CRM: the app subscribes to ticket changes
// and HubSpot posts batches of events signed with signature v3 (base64 HMAC-SHA256, keyed with
// the app's client secret, over method + URL + raw body + the millisecond timestamp header).
// An event says only which ticket changed, so each one becomes a crm.refresh_case job that
// reads the ticket and applies it like any other case update, retrying while HubSpot is away.

export const HUBSPOT_WEBHOOK_LIMITS = { bodyMax: 256 * 1024, eventsMax: 100, toleranceMs: 5 * 60_000 } as const;
export const REFRESH_CASE_JOB = 'crm.refresh_case';

/** The signature HubSpot sends for `body` at `timestampMs` (its header value); tests sign with it. */
export function hubspotSignatureV3(clientSecret: string, method: string, url: string, body: string, timestampMs: number): string {
  return createHmac('sha256', clientSecret).update(`${method}${url}${body}${timestampMs}`).digest('base64');
}

export interface HubspotWebhookResult {
  /** ticket changes queued for reading */
  queued: number;
  duplicates: number;
  /** events about other objects, which the forum does not follow */
  ignored: number;
}

/**
 * Verifies and takes one HubSpot webhook delivery. Conflict not_hubspot when HubSpot is not the
 * configured CRM; Unauthenticated for an unconfigured secret or a bad, missing or expired
 * (over 5 minutes) signature; Invalid for a body that is not HubSpot's event array.
 */
export async function receiveHubspotWebhook(
  ctx: Pick<Ctx, 'db' | 'now' | 'config'>,
  input: { method: string; body: string; signature: string | undefined; timestamp: string | undefined },
): Promise<HubspotWebhookResult> {
  const settings = ctx.config.crm.hubspot;
  if (ctx.config.crm.connector !== 'hubspot' || !settings) throw new Conflict('not_hubspot', 'HubSpot is not the configured CRM');
  if (!settings.webhook) throw new Unauthenticated('HubSpot webhooks are not configured (set HUBSPOT_CLIENT_SECRET and HUBSPOT_WEBHOOK_URL)');
  const timestamp = Number(input.timestamp);
  if (!Number.isInteger(timestamp) || !input.signature) throw new Unauthenticated('Missing HubSpot signature headers');
  const expected = Buffer.from(hubspotSignatureV3(settings.webhook.clientSecret, input.method, settings.webhook.url, input.body, timestamp));
  const given = Buffer.from(input.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Unauthenticated('Bad HubSpot signature');
  if (Math.abs(ctx.now().getTime() - timestamp) > HUBSPOT_WEBHOOK_LIMITS.toleranceMs) throw new Unauthenticated('HubSpot signature expired: the delivery is older than five minutes');

  let events: unknown;
  try {
    events = JSON.parse(input.body);
  } catch {
    throw new Invalid({ body: 'must be JSON' });
  }
  if (!Array.isArray(events) || events.length === 0) throw new Invalid({ body: 'must be a non-empty array of events' });
  if (events.length > HUBSPOT_WEBHOOK_LIMITS.eventsMax) throw new Invalid({ body: `must hold at most ${HUBSPOT_WEBHOOK_LIMITS.eventsMax} events` });
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const result: HubspotWebhookResult = { queued: 0, duplicates: 0, ignored: 0 };
    for (const [i, raw] of events.entries()) {
      const e = raw as { eventId?: unknown; subscriptionType?: unknown; objectId?: unknown };
      if (e === null || typeof e !== 'object' || (typeof e.eventId !== 'number' && typeof e.eventId !== 'string')) throw new Invalid({ [`body[${i}].eventId`]: 'is required' });
      if (typeof e.subscriptionType !== 'string' || !e.subscriptionType.startsWith('ticket.') || (typeof e.objectId !== 'number' && typeof e.objectId !== 'string')) {
        result.ignored++;
        continue;
      }
      const fresh = await tx.insert(crmWebhookReceipts).values({ connector: 'hubspot', eventId: String(e.eventId), receivedAt: now }).onConflictDoNothing().returning({ id: crmWebhookReceipts.eventId });
      if (!fresh.length) {
        result.duplicates++;
        continue;
      }
      await enqueueJob(tx, REFRESH_CASE_JOB, { caseId: String(e.objectId) });
      result.queued++;
    }
    return result;
  });
}

/** The crm.refresh_case job: reads the case from the CRM and applies it (throws, so retries, while the CRM is away). */
async function refreshCase(ctx: Ctx, payload: JobPayload): Promise<void> {
  const connector = crmConnector(ctx);
  const found = await connector.getCase(String(payload.caseId));
  if (!found) return;
  await applyCaseUpdate({ ...ctx, db: ctx.db as Db }, {
    connector: connector.name,
    caseId: found.id,
    contactId: found.contactId,
    createdAt: found.createdAt,
    status: found.status,
    resolution: found.resolution,
    updatedAt: found.updatedAt,
    eventId: null,
  });
}

export const hubspotWebhookJobHandlers: JobHandlers = { [REFRESH_CASE_JOB]: refreshCase };
