// The API's error answers: `{ "error": <code>, "message": ... }` with the status of the error table
// (src/model/errors.ts), for the query, admin and auth routes alike. zod validation failures become a 400
// naming each parameter; the store's own words never reach the client (they are logged).
import type { FastifyError, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { TracemillError, answerFor } from '../model/errors.js';

/** One message per problem, each starting with the parameter it is about. */
function validationMessage(err: FastifyError): string {
  const issues = (err.validation ?? []).map((v) => {
    const keys = (v.params as { keys?: unknown } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length) {
      return `${keys.join(', ')}: unknown parameter${keys.length > 1 ? 's' : ''}`;
    }
    const param = v.instancePath.replace(/^\//, '').split('/')[0] || err.validationContext || 'request';
    return `${param}: ${v.message}`;
  });
  return `invalid ${err.validationContext ?? 'request'} parameter — ${issues.join('; ')}`;
}

/** The error as the API answers it (JSON body, Retry-After on retryable answers). */
export function sendApiError(reply: FastifyReply, err: unknown, retryAfterSeconds: number): FastifyReply {
  const e = hasZodFastifySchemaValidationErrors(err) ? new TracemillError('invalid', validationMessage(err as FastifyError)) : err;
  const a = answerFor(e, retryAfterSeconds);
  if (a.withheld) reply.log.error({ err: a.withheld, url: reply.request.url }, 'API request failed');
  if (a.retryAfter !== undefined) reply.header('retry-after', String(a.retryAfter));
  if (a.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="tracemill"');
  return reply.code(a.http).type('application/json').send({ error: a.code, message: a.message });
}
