import type { FastifyInstance, FastifyReply } from 'fastify';

interface Entry {
  body: string;
  expires: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache;
    /** anonymous searches, kept for 30 s and not dropped by events: search may lag that much */
    searchCache: PageCache;
  }
}

/**
 * Serialised API answers for anonymous readers (search engines, visitors following a link),
 * kept per instance and dropped as soon as a committed event says the page changed: events
 * naming `thread:ID` drop that thread's pages, and any event drops the lists. A generation
 * counter per scope makes sure a page read before a change and stored after it is not kept.
 */
export class PageCache {
  private entries = new Map<string, Entry>();
  private generations = new Map<string, number>();

  constructor(
    private readonly maxEntries = 2_000,
    private readonly ttlMs = 60_000,
  ) {}

  /** bumped by invalidateAll: a page read before it is not stored after it */
  private epoch = 0;

  invalidate(scope: string): void {
    this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
  }

  /** Drops every page, for changes that show on pages no event names (an author's expertise). */
  invalidateAll(): void {
    this.epoch++;
    this.entries.clear();
  }

  /** Sends the cached answer for (scope, key), or produces, serialises, stores and sends it. */
  async serve(reply: FastifyReply, scope: string, key: string, produce: () => Promise<unknown>): Promise<FastifyReply> {
    const generation = this.generations.get(scope) ?? 0;
    const epoch = this.epoch;
    const fullKey = `${scope}\u0000${generation}\u0000${key}`;
    const hit = this.entries.get(fullKey);
    reply.type('application/json; charset=utf-8');
    if (hit && hit.expires > Date.now()) return reply.send(hit.body);
    const body = reply.serialize(await produce()) as string;
    if ((this.generations.get(scope) ?? 0) === generation && this.epoch === epoch) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(fullKey, { body, expires: Date.now() + this.ttlMs });
    }
    return reply.send(body);
  }
}

export const LISTS_SCOPE = 'lists';

/** A cache that never keeps anything: every read goes to the database. */
class NoCache extends PageCache {
  override async serve(reply: FastifyReply, _scope: string, _key: string, produce: () => Promise<unknown>) {
    return reply.send(await produce());
  }
}

export function registerPageCache(app: FastifyInstance, options: { enabled?: boolean }): void {
  if (!options.enabled) {
    app.decorate('pageCache', new NoCache());
    app.decorate('searchCache', new NoCache());
    return;
  }
  app.decorate('searchCache', new PageCache(2_000, 30_000));
  const cache = new PageCache();
  app.decorate('pageCache', cache);
  app.realtime.onEvent((event) => {
    // Expert tags show beside an author's name on every thread they wrote in.
    if (event.name === 'badges.badge.awarded' || event.name === 'badges.badge.revoked') {
      const slug = (event.payload as { badge?: { slug?: string } } | null)?.badge?.slug;
      if (slug === 'expert') cache.invalidateAll();
    }
    cache.invalidate(LISTS_SCOPE);
    for (const room of event.rooms) if (room.startsWith('thread:')) cache.invalidate(room);
  });
}
