import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrateDatabase, startEmbeddedPostgres, type EmbeddedServer } from '@forum/core';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDatabase: string;
  }
}

/**
 * Starts one real PostgreSQL for the whole run (the embedded one, or TEST_DATABASE_URL's
 * server) and migrates a template database once; each test file copies it.
 */
export default async function setup(project: TestProject) {
  let server: EmbeddedServer | null = null;
  let dir: string | null = null;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'forum-test-pg-'));
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), quiet: true });
    adminUrl = server.adminUrl;
  }
  const templateDatabase = `forum_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.end();
  await ensureDatabase(adminUrl, templateDatabase);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${templateDatabase}`;
  await migrateDatabase(templateUrl.toString());

  project.provide('pgAdminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    if (server) await server.stop().catch(() => {});
    else {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${templateDatabase} with (force)`).catch(() => {});
      await c.end();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
