import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { registerPageCache } from './http/page-cache.js';
import { buildServer, type AppDeps } from './http/server.js';
import { authRoutes } from './routes/auth.js';
import { badgeRoutes } from './routes/badges.js';
import { categoryRoutes } from './routes/categories.js';
import { flagRoutes } from './routes/flags.js';
import { heldPostRoutes } from './routes/held-posts.js';
import { memberRoutes } from './routes/members.js';
import { notificationRoutes } from './routes/notifications.js';
import { pollRoutes } from './routes/polls.js';
import { postRoutes } from './routes/posts.js';
import { queueRequestRoutes } from './routes/queue-requests.js';
import { privateRoutes } from './routes/private.js';
import { csatRoutes } from './routes/csat.js';
import { kbRoutes } from './routes/kb.js';
import { searchRoutes } from './routes/search.js';
import { threadRoutes } from './routes/threads.js';
import { userRoutes } from './routes/users.js';

export type ForumDeps = AppDeps;

/** The customers' forum: JSON API under /api, websocket at /ws, and the SvelteKit UI. No listen(). */
export function buildForumApp(deps: ForumDeps): Promise<FastifyInstance> {
  return buildServer(deps, {
    name: 'forum',
    title: 'Community forum API',
    description: 'Questions, answers, votes, search and live updates. State changes need the session cookie and the x-csrf-token header.',
    sessionCookie: 'sid',
    routes: [authRoutes, categoryRoutes, threadRoutes, pollRoutes, postRoutes, searchRoutes, userRoutes, notificationRoutes, badgeRoutes, memberRoutes, flagRoutes, heldPostRoutes, queueRequestRoutes, privateRoutes, csatRoutes, kbRoutes] as unknown as FastifyPluginAsync[],
    roomPattern: /^(latest|thread:\d{1,10}|category:\d{1,10})$/,
    setup: (app, deps) => registerPageCache(app, { enabled: deps.pageCache }),
    buildDir: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build'),
  });
}
