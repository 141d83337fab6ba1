import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type pg from 'pg';

/** GET /api/health: is the app up, and can it reach its database (and how fast)? */
export function registerHealth(app: FastifyInstance, pool: pg.Pool): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Service and database status',
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
            database: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Union([Type.Number(), Type.Null()]), error: Type.Optional(Type.String()) }),
          }),
          503: Type.Object({
            status: Type.Literal('degraded'),
            database: Type.Object({ ok: Type.Boolean(), latencyMs: Type.Null(), error: Type.Optional(Type.String()) }),
          }),
        },
      },
    },
    async (_request, reply) => {
      const started = performance.now();
      try {
        await Promise.race([
          pool.query('select 1'),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2_000).unref()),
        ]);
        return { status: 'ok' as const, database: { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 } };
      } catch (error) {
        return reply.status(503).send({
          status: 'degraded' as const,
          database: { ok: false, latencyMs: null, error: error instanceof Error ? error.message : 'unreachable' },
        });
      }
    },
  );
}
