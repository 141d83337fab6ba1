import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { registerErrorHandling } from './errors.js';

export const BODY_LIMIT = 64 * 1024;

/** A Fastify instance with what both apps share: limits, cookies and the error mapping. */
export function createBaseApp(options: { logger?: boolean; trustProxy?: boolean } = {}) {
  const app = Fastify({
    logger: options.logger ? { level: 'info' } : false,
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.register(cookie);
  registerErrorHandling(app as unknown as FastifyInstance);
  return app;
}

export type App = ReturnType<typeof createBaseApp>;
