import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildServer, type AppDeps } from '@forum/forum/server/http/server';
import { consoleGuard } from './guard.js';
import { consoleAuthRoutes } from './routes/auth.js';
import { flagRoutes } from './routes/flags.js';
import { queueRoutes } from './routes/queue.js';
import { watchedWordRoutes } from './routes/watched-words.js';
import { teamRoutes } from './routes/teams.js';
import { staffworkRoutes } from './routes/staffwork.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { qaRoutes } from './routes/qa.js';
import { moderationRoutes } from './routes/moderation.js';
import { auditRoutes } from './routes/audit.js';
import { approvalRoutes } from './routes/approvals.js';
import { crmRoutes } from './routes/crm.js';
import { crmLinkRoutes } from './routes/crm-links.js';
import { crmEscalationRoutes } from './routes/crm-escalations.js';
import { privacyRoutes } from './routes/privacy.js';
import { insightRoutes } from './routes/insights.js';

export type ModerationDeps = AppDeps;

/** The agents' console: API under /api (staff only), websocket at /ws, and its SvelteKit UI. */
export function buildModerationApp(deps: ModerationDeps): Promise<FastifyInstance> {
  return buildServer(deps, {
    name: 'moderation',
    title: 'Moderation console API',
    description: 'For agents, supervisors and admins. Members are refused (403).',
    sessionCookie: 'console_sid',
    routes: [consoleAuthRoutes, queueRoutes, flagRoutes, watchedWordRoutes, moderationRoutes, auditRoutes, approvalRoutes, dashboardRoutes, qaRoutes, staffworkRoutes, teamRoutes, crmRoutes, crmLinkRoutes, crmEscalationRoutes, privacyRoutes, insightRoutes] as unknown as FastifyPluginAsync[],
    roomPattern: /^queue$/,
    // the queue carries flaggers, agents and held posts: staff sockets only
    privateRooms: /^queue$/,
    staffSockets: true,
    guard: consoleGuard,
    buildDir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build'),
  });
}
