import type { Db } from './db/client.js';
import type { Role } from './forum/types.js';

export interface Actor {
  id: number;
  handle: string;
  displayName: string;
  role: Role;
}

export interface RateRule {
  limit: number;
  windowSeconds: number;
}

export interface CoreConfig {
  rateLimits: {
    signup: RateRule;
    login: RateRule;
    post: RateRule;
  };
}

export const defaultConfig: CoreConfig = {
  rateLimits: {
    signup: { limit: 10, windowSeconds: 3600 },
    login: { limit: 20, windowSeconds: 300 },
    post: { limit: 30, windowSeconds: 60 },
  },
};

/** What every service receives: the database, who is acting, and a clock tests can set. */
export interface Ctx {
  db: Db;
  actor: Actor | null;
  now(): Date;
  config: CoreConfig;
}

export const systemClock = () => new Date();

export function isStaff(role: Role): boolean {
  return role !== 'member';
}
