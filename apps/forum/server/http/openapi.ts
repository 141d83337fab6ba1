import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** The OpenAPI document at /api/docs/json, built from the routes' schemas, and a UI at /api/docs. */
export async function registerOpenApi(app: FastifyInstance, info: { title: string; description: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { ...info, version: '1.0.0' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'sid' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
}
