import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connect,
  crmConfigFromEnv,
  defaultConfig,
  ensureDatabase,
  migrateDatabase,
  startEmbeddedPostgres,
  type CoreConfig,
  type Database,
  type EmbeddedServer,
} from '@forum/core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RuntimeConfig {
  databaseUrl?: string;
  dataDir: string;
  embeddedPort?: number;
  forumPort: number;
  moderationPort: number;
  host: string;
  secureCookies: boolean;
  trustProxy: boolean;
  logger: boolean;
  core: CoreConfig;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
}

/** Configuration from the environment; the README lists every variable. */
export function readConfig(env = process.env): RuntimeConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(repoRoot, env.DATA_DIR ?? '.data'),
    embeddedPort: env.EMBEDDED_PG_PORT ? intFromEnv('EMBEDDED_PG_PORT', 0) : undefined,
    forumPort: intFromEnv('PORT', 3000),
    moderationPort: intFromEnv('MODERATION_PORT', 3001),
    host: env.HOST ?? '127.0.0.1',
    secureCookies: env.COOKIE_SECURE === '1' || env.COOKIE_SECURE === 'true',
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    logger: env.LOG_REQUESTS === '1',
    core: { ...defaultConfig, crm: crmConfigFromEnv(env) },
  };
}

export interface OpenedDatabase {
  database: Database;
  embedded: EmbeddedServer | null;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or, without it, starts the embedded PostgreSQL with its data under
 * the data directory (kept across restarts), and applies pending migrations either way.
 */
export async function openDatabase(config: RuntimeConfig, log: (line: string) => void = () => {}): Promise<OpenedDatabase> {
  let url = config.databaseUrl;
  let embedded: EmbeddedServer | null = null;
  if (!url) {
    log(`Starting the embedded PostgreSQL (data in ${path.relative(process.cwd(), path.join(config.dataDir, 'pg')) || '.'}) …`);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), port: config.embeddedPort });
    await ensureDatabase(embedded.adminUrl, 'forum');
    url = embedded.urlFor('forum');
  }
  await migrateDatabase(url);
  const database = connect(url, { max: 20 });
  return {
    database,
    embedded,
    async close() {
      await database.close().catch(() => {});
      await embedded?.stop().catch(() => {});
    },
  };
}
