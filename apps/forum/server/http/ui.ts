import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Serves a built SvelteKit app (adapter-node's handler) for every path the API does not own.
 * The request body is left unread here so SvelteKit's form actions can read it themselves.
 */
export async function registerUi(app: FastifyInstance, buildDir: string): Promise<boolean> {
  const handlerFile = path.join(buildDir, 'handler.js');
  if (!existsSync(handlerFile)) return false;
  const { handler } = (await import(pathToFileURL(handlerFile).href)) as { handler: Handler };
  await app.register(async (ui) => {
    ui.removeAllContentTypeParsers();
    ui.addContentTypeParser('*', (_request, _payload, done) => done(null));
    ui.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      url: '/*',
      schema: { hide: true },
      handler: (request, reply) => {
        reply.hijack();
        handler(request.raw, reply.raw, () => {
          reply.raw.statusCode = 404;
          reply.raw.setHeader('content-type', 'text/plain; charset=utf-8');
          reply.raw.end('Not found');
        });
      },
    });
  });
  return true;
}
