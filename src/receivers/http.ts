// OTLP/HTTP receiver: POST /v1/{traces,logs,metrics}, protobuf or JSON, gzip/deflate, answers as the OTLP spec says.
// Registered as an encapsulated plugin so its raw-body parsers and error mapping do not leak into the query API.
import compress from '@fastify/compress';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TracemillError, answerFor } from '../model/errors.js';
import { type Signal, type Sink, runExport } from './export.js';
import { type Encoding, exportResponse, statusBody } from './otlp/responses.js';

export interface OtlpHttpOptions {
  signals: Signal<unknown>[];
  sink: Sink;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  /** Resolves the project a request writes to (API keys); throws an AuthError to refuse it. */
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

/** Answers an error as OTLP/HTTP does (a google.rpc.Status), with the status of the error table (src/model/errors.ts). */
export function sendError(reply: FastifyReply, enc: Encoding, err: Error, retryAfterSeconds: number): FastifyReply {
  const a = answerFor(err, retryAfterSeconds);
  if (a.withheld) reply.log.warn({ err: a.withheld }, 'OTLP export not stored');
  if (a.retryAfter !== undefined) reply.header('retry-after', String(a.retryAfter));
  if (a.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="tracemill"');
  return sendStatus(reply, enc, a.http, a.grpc, a.message);
}

const ENCODINGS: ('gzip' | 'deflate' | 'identity')[] = ['gzip', 'deflate', 'identity'];

/** The web framework's own refusals, as codes of the error table. */
function fromFramework(err: FastifyError, maxBodyBytes: number): Error {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_TYPE':
      return new TracemillError('unsupported_media_type', UNSUPPORTED_MEDIA);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TracemillError('too_large', `the request is larger than ${maxBodyBytes} bytes (TRACEMILL_MAX_BODY_BYTES), counted after decompression; send smaller batches`);
    case 'FST_CP_ERR_INVALID_CONTENT_ENCODING':
      return new TracemillError('unsupported_media_type', `unsupported Content-Encoding, supported: [${ENCODINGS.join(', ')}]`);
    case 'FST_CP_ERR_INVALID_CONTENT':
      return new TracemillError('invalid', `cannot decompress the request body: ${err.message}`);
    default:
      return err;
  }
}

/** The plain-text answers OTLP leaves open (a method or media type the receiver does not take). */
function sendPlain(reply: FastifyReply, err: TracemillError): FastifyReply {
  return reply.code(err.statusCode).type('text/plain').send(`${err.statusCode} ${err.message}`);
}

/**
 * Answers an export refused before its body is read (by the auth hook: 401, 403 or 429) the way OTLP clients
 * expect: a google.rpc.Status in the request's encoding.
 */
export function refuseExport(req: FastifyRequest, reply: FastifyReply, err: Error, retryAfterSeconds: number): FastifyReply {
  return sendError(reply, encodingOf(req), err, retryAfterSeconds);
}

export async function otlpHttpPlugin(app: FastifyInstance, opts: OtlpHttpOptions): Promise<void> {
  await app.register(compress, { global: false, requestEncodings: ENCODINGS });
  // Content-Encoding names are case-insensitive (RFC 9110); the decompressor compares them as written.
  app.addHook('onRequest', async (req) => {
    const ce = req.headers['content-encoding'];
    if (typeof ce === 'string') req.headers['content-encoding'] = ce.trim().toLowerCase();
  });

  // Raw bodies only: the OTLP decoders read the bytes themselves (protobuf, and JSON with OTLP's rules).
  app.removeAllContentTypeParsers();
  for (const type of Object.keys(MEDIA_TYPES)) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const enc = encodingOf(req);
    const signal = opts.signals.find((s) => req.url.startsWith(s.httpPath));
    const e = fromFramework(err, opts.maxBodyBytes);
    opts.onRejected?.(signal?.name ?? 'unknown', e);
    if (e instanceof TracemillError && e.code === 'unsupported_media_type') return sendPlain(reply, e);
    return sendError(reply, enc, e, opts.retryAfterSeconds);
  });

  for (const signal of opts.signals) {
    app.post(signal.httpPath, { schema: { hide: true }, bodyLimit: opts.maxBodyBytes, decompress: { requestEncodings: ENCODINGS } }, async (req, reply) => {
      const enc = MEDIA_TYPES[mediaType(req)];
      if (!enc) return sendPlain(reply, new TracemillError('unsupported_media_type', UNSUPPORTED_MEDIA));
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
        return sendError(reply, enc, err, opts.retryAfterSeconds);
      }
    });
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: signal.httpPath,
      // Not part of the query API's OpenAPI document (src/api/openapi.ts): OTLP defines these paths.
      schema: { hide: true },
      handler: async (_req, reply) => sendPlain(reply.header('allow', 'POST'), new TracemillError('method_not_allowed', 'method not allowed, supported: [POST]')),
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
