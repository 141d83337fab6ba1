import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { registerErrorHandling } from './errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator(coerceTypes: 'array' | false): Ajv {
  return addFormats(new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes, allErrors: false, strict: false }));
}

// Query strings and path parameters arrive as text, so they are coerced ("20" → 20); JSON
// bodies are not, so `{"value": true}` is refused rather than read as a vote of 1.
const coercing = validator('array');
const exact = validator(false);

export const BODY_LIMIT = 64 * 1024;

/** A Fastify instance with what both apps share: limits, cookies and the error mapping. */
export function createBaseApp(options: { logger?: boolean; trustProxy?: boolean } = {}) {
  const app = Fastify({
    logger: options.logger ? { level: 'info' } : false,
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
  app.register(cookie);
  registerErrorHandling(app as unknown as FastifyInstance);
  return app;
}

export type App = ReturnType<typeof createBaseApp>;
