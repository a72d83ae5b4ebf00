// OTLP/HTTP receiver: POST /v1/{traces,logs,metrics}, protobuf or JSON, gzip/deflate, answers as the OTLP spec says.
// Registered as an encapsulated plugin so its raw-body parsers and error mapping do not leak into the query API.
import compress from '@fastify/compress';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, InvalidRequestError, type Signal, type Sink, runExport } from './export.js';
import { type Encoding, GrpcCode, exportResponse, statusBody } from './otlp/responses.js';

export interface OtlpHttpOptions {
  signals: Signal<unknown>[];
  sink: Sink;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  /** Resolves the project a request writes to (API keys); throws an HttpError to refuse it. */
  projectFor(req: FastifyRequest): Promise<string> | string;
  /** Told of every export answered with an error (counters). */
  onRejected?(signal: string, err: Error): void;
}

const MEDIA_TYPES: Record<string, Encoding> = { 'application/x-protobuf': 'protobuf', 'application/json': 'json' };
const UNSUPPORTED_MEDIA = 'unsupported media type, supported: [application/json, application/x-protobuf]';

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function encodingOf(req: FastifyRequest): Encoding {
  return MEDIA_TYPES[mediaType(req)] ?? 'json';
}

export function sendStatus(reply: FastifyReply, enc: Encoding, http: number, grpcCode: number, message: string): FastifyReply {
  return reply
    .code(http)
    .type(enc === 'json' ? 'application/json' : 'application/x-protobuf')
    .send(statusBody(enc, grpcCode, message));
}

/** Maps pipeline errors to OTLP/HTTP answers: retryable ones get 429/503 with Retry-After. */
export function sendError(reply: FastifyReply, enc: Encoding, err: Error, retryAfterSeconds: number): FastifyReply {
  if (err instanceof InvalidRequestError) return sendStatus(reply, enc, 400, GrpcCode.INVALID_ARGUMENT, err.message);
  if (err instanceof HttpError) {
    if (err.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="tracemill"');
    return sendStatus(reply, enc, err.statusCode, err.grpcCode, err.message);
  }
  switch (err.name) {
    case 'QueueFullError':
    case 'RateLimitedError':
      reply.header('retry-after', String(retryAfterSeconds));
      return sendStatus(reply, enc, 429, GrpcCode.UNAVAILABLE, `${err.message}; retry later`);
    case 'WriteFailedError':
      if ((err as Error & { permanent?: boolean }).permanent) return sendStatus(reply, enc, 500, GrpcCode.INTERNAL, err.message);
      reply.header('retry-after', String(retryAfterSeconds));
      return sendStatus(reply, enc, 503, GrpcCode.UNAVAILABLE, `${err.message}; retry later`);
    default:
      reply.header('retry-after', String(retryAfterSeconds));
      return sendStatus(reply, enc, 503, GrpcCode.UNAVAILABLE, `the store is unavailable: ${err.message}; retry later`);
  }
}

/**
 * Answers an export refused before its body is read (by the auth hook: 401, 403 or 429) the way OTLP clients
 * expect: a google.rpc.Status in the request's encoding.
 */
export function refuseExport(req: FastifyRequest, reply: FastifyReply, err: Error & { statusCode?: number }, retryAfterSeconds: number): FastifyReply {
  const { statusCode } = err;
  const e =
    statusCode === 401 || statusCode === 403
      ? new HttpError(statusCode, err.message, statusCode === 401 ? GrpcCode.UNAUTHENTICATED : GrpcCode.PERMISSION_DENIED)
      : err;
  return sendError(reply, encodingOf(req), e, retryAfterSeconds);
}

export async function otlpHttpPlugin(app: FastifyInstance, opts: OtlpHttpOptions): Promise<void> {
  await app.register(compress, { global: false, requestEncodings: ['gzip', 'deflate'] });

  // Raw bodies only: the OTLP decoders read the bytes themselves (protobuf, and JSON with OTLP's rules).
  app.removeAllContentTypeParsers();
  for (const type of Object.keys(MEDIA_TYPES)) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const enc = encodingOf(req);
    const signal = opts.signals.find((s) => req.url.startsWith(s.httpPath));
    opts.onRejected?.(signal?.name ?? 'unknown', Object.assign(new Error(err.message), { statusCode: err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : (err.statusCode ?? 500) }));
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_EMPTY_TYPE':
        return reply.code(415).type('text/plain').send(`415 ${UNSUPPORTED_MEDIA}`);
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendStatus(reply, enc, 413, GrpcCode.INVALID_ARGUMENT, `the request is larger than ${opts.maxBodyBytes} bytes (TRACEMILL_MAX_BODY_BYTES), counted after decompression; send smaller batches`);
      case 'FST_CP_ERR_INVALID_CONTENT_ENCODING':
        return reply.code(415).type('text/plain').send(`415 unsupported Content-Encoding, supported: [gzip, deflate, identity]`);
      case 'FST_CP_ERR_INVALID_CONTENT':
        return sendStatus(reply, enc, 400, GrpcCode.INVALID_ARGUMENT, `cannot decompress the request body: ${err.message}`);
      default:
        if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
          return sendStatus(reply, enc, err.statusCode, GrpcCode.INVALID_ARGUMENT, err.message);
        }
        req.log.error({ err }, 'OTLP request failed');
        return sendError(reply, enc, err, opts.retryAfterSeconds);
    }
  });

  for (const signal of opts.signals) {
    app.post(signal.httpPath, { bodyLimit: opts.maxBodyBytes, decompress: {} }, async (req, reply) => {
      const enc = MEDIA_TYPES[mediaType(req)];
      if (!enc) return reply.code(415).type('text/plain').send(`415 ${UNSUPPORTED_MEDIA}`);
      try {
        const project = await opts.projectFor(req);
        const partial = await runExport(signal, takeBody(req), enc, project, opts.sink);
        return reply
          .code(200)
          .type(enc === 'json' ? 'application/json' : 'application/x-protobuf')
          .send(exportResponse(enc, signal.rejectedField, partial));
      } catch (e) {
        const err = e as Error;
        opts.onRejected?.(signal.name, err);
        if (!(err instanceof InvalidRequestError) && !(err instanceof HttpError)) req.log.warn({ err: err.message, signal: signal.name }, 'export not stored');
        return sendError(reply, enc, err, opts.retryAfterSeconds);
      }
    });
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: signal.httpPath,
      handler: async (_req, reply) => reply.code(405).header('allow', 'POST').type('text/plain').send('405 method not allowed, supported: [POST]'),
    });
  }
}

/**
 * The raw body, no longer referenced by the request: only its encoded rows wait for the commit, not the bytes
 * (at the maximum rate, 128 agent exporters had ~140 MB of bodies waiting).
 */
function takeBody(req: FastifyRequest): Buffer {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  req.body = undefined;
  return body;
}
