import type { JobHandlers } from '../events/jobs.js';
import { BADGE_JOB, runBadgeJob } from '../badges/service.js';
import { notificationJobHandlers } from '../notifications/jobs.js';
import { evaluateTrustForEvent } from '../reputation/trust.js';
import { queueJobHandlers } from '../queue/service.js';
import { qaJobHandlers } from '../dashboard/qa.js';
import { rollupJobHandlers } from '../dashboard/rollup.js';
import { escalationJobHandlers } from '../crm/escalation.js';
import { hubspotWebhookJobHandlers } from '../crm/hubspot-webhook.js';
import { sentimentJobHandlers } from '../insights/sentiment.js';

/**
 * Every background job kind and the code that runs it. Event subscriptions (which events start
 * which kinds) are in events/subscriptions.ts.
 */
export const jobHandlers: JobHandlers = {
  ...notificationJobHandlers,
  [BADGE_JOB]: runBadgeJob,
  'trust.evaluate': evaluateTrustForEvent,
  ...queueJobHandlers,
  ...qaJobHandlers,
  ...rollupJobHandlers,
  ...escalationJobHandlers,
  ...hubspotWebhookJobHandlers,
  ...sentimentJobHandlers,
};
