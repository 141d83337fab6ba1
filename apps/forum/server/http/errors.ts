import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimited } from '@forum/core';

const statusByClass: Record<string, number> = {
  NotFound: 404,
  Unauthenticated: 401,
  InvalidCredentials: 401,
  Suspended: 403,
  Forbidden: 403,
  Invalid: 400,
  Conflict: 409,
  RateLimited: 429,
};

function send(reply: FastifyReply, status: number, code: string, message: string, fields?: Record<string, string>) {
  return reply.status(status).send({ error: { code, message, ...(fields ? { fields } : {}) } });
}

/** Turns Ajv's validation errors into `{ field: reason }`, naming the field as the client sent it. */
function validationFields(error: FastifyError): Record<string, string> {
  const fields: Record<string, string> = {};
  // A choice of literals (`kind`, `reason`, …) fails once per allowed value: name them all.
  const allowed = new Map<string, unknown[]>();
  for (const v of error.validation ?? []) {
    if (v.keyword !== 'const') continue;
    const values = allowed.get(v.instancePath) ?? [];
    values.push((v.params as { allowedValue?: unknown }).allowedValue);
    allowed.set(v.instancePath, values);
  }
  for (const v of error.validation ?? []) {
    const params = v.params as Record<string, unknown>;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const name = params.missingProperty
      ? [path, params.missingProperty].filter(Boolean).join('.')
      : params.additionalProperty
        ? [path, params.additionalProperty].filter(Boolean).join('.')
        : path || error.validationContext || 'request';
    if (fields[name]) continue;
    const choices = allowed.get(v.instancePath);
    if (choices && (v.keyword === 'const' || v.keyword === 'anyOf')) {
      fields[name] = `must be one of: ${choices.map(String).join(', ')}`;
      continue;
    }
    fields[name] = params.missingProperty ? 'is required' : params.additionalProperty ? 'is not a known field' : (v.message ?? 'is invalid');
  }
  return fields;
}

/**
 * The one place where errors become HTTP: domain errors by class, schema failures as 400 with
 * the fields, oversized bodies as 413; anything unexpected is logged and answered with a plain
 * 500 that reveals nothing.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const domain: unknown = error;
    if (domain instanceof DomainError) {
      const status = statusByClass[error.constructor.name] ?? 400;
      if (domain instanceof RateLimited) reply.header('retry-after', String(domain.retryAfterSeconds));
      return send(reply, status, domain.code, domain.message, domain.fields);
    }
    if (error.validation) {
      return send(reply, 400, 'invalid_request', 'Some fields are invalid', validationFields(error));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, 'body_too_large', 'The request body is too large');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 415, 'unsupported_media_type', 'Send JSON with content-type application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, 'invalid_json', 'The request says it is JSON but has no body: send a JSON object, or leave out the Content-Type', {
          body: 'is empty',
        });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return send(reply, 400, 'invalid_json', 'The request body is not valid JSON', { body: 'is not valid JSON' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return send(reply, 400, 'invalid_request', 'The content length does not match the body');
    }
    if (error.name === 'SyntaxError' || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
      return send(reply, error.statusCode ?? 400, 'invalid_request', 'The request could not be read');
    }
    if (isNulInText(error)) return send(reply, 400, 'invalid_request', 'Text must not contain the NUL character (U+0000)');
    const dbDown = isDatabaseUnavailable(error);
    if (dbDown) return send(reply, 503, 'unavailable', 'The service is briefly unavailable; try again');
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, 500, 'internal', 'Something went wrong on our side');
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}

/** PostgreSQL cannot store U+0000 in text (SQLSTATE 22021); only a client can have sent it. */
function isNulInText(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return (e.code ?? e.cause?.code) === '22021';
}

function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string }; message?: string };
  const code = e.code ?? e.cause?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    code === '57P03' ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e.message ?? '')
  );
}
