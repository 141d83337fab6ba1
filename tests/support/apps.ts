import type { FastifyInstance } from 'fastify';
import { buildForumApp } from '../../apps/forum/server/app.js';
import { buildModerationApp } from '../../apps/moderation/server/app.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { Clock, relaxedConfig } from './factories.js';
import type { CoreConfig } from '@forum/core';

export interface TestForum {
  db: TestDatabase;
  app: FastifyInstance;
  clock: Clock;
  close(): Promise<void>;
}

/** The forum app on a database of its own, with a settable clock; no UI unless asked. */
export async function startForum(options: { config?: CoreConfig; ui?: boolean; database?: TestDatabase; clock?: Clock; jobs?: boolean } = {}): Promise<TestForum> {
  const db = options.database ?? (await createTestDatabase());
  const clock = options.clock ?? new Clock();
  const app = await buildForumApp({ database: db, config: options.config ?? relaxedConfig, now: clock.now, ui: options.ui ?? false, jobs: options.jobs ?? true });
  return {
    db,
    app,
    clock,
    async close() {
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}

export async function startModeration(options: { config?: CoreConfig; database?: TestDatabase; clock?: Clock } = {}) {
  const db = options.database ?? (await createTestDatabase());
  const clock = options.clock ?? new Clock();
  const app = await buildModerationApp({ database: db, config: options.config ?? relaxedConfig, now: clock.now, ui: false });
  return {
    db,
    app,
    clock,
    async close() {
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}
