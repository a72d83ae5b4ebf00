// OTLP/gRPC receiver on @grpc/grpc-js with raw-Buffer services: the same decoders and sink as HTTP.
import * as grpc from '@grpc/grpc-js';
import { answerFor } from '../model/errors.js';
import { type Signal, type Sink, runExport } from './export.js';
import { exportResponse, retryStatusDetails } from './otlp/responses.js';

export interface OtlpGrpcOptions {
  signals: Signal<unknown>[];
  sink: Sink;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  /** Resolves the project a call writes to (API keys, `peer` for rate limits); throws an AuthError or RateLimitedError to refuse it. */
  projectFor(metadata: grpc.Metadata, peer: string): Promise<string> | string;
  /** Told of every export answered with an error (counters). */
  onRejected?(signal: string, err: Error): void;
  /** Told of exports that failed for a reason other than the request itself, with the text the answer withheld (logs). */
  onError?(err: string, signal: string): void;
}

const identity = (b: Buffer): Buffer => b;

/**
 * The error table's answer (src/model/errors.ts) as a gRPC status. Retryable ones carry RetryInfo (and a plain
 * retry-after entry); the JS exporters never retry, Go and Python ones do.
 */
function toServiceError(err: Error, retryAfterSeconds: number): Partial<grpc.StatusObject> & { withheld?: string } {
  const a = answerFor(err, retryAfterSeconds);
  if (a.retryAfter === undefined) return { code: a.grpc as grpc.status, details: a.message, withheld: a.withheld };
  const md = new grpc.Metadata();
  md.set('retry-after', String(a.retryAfter));
  md.set('grpc-status-details-bin', retryStatusDetails(a.grpc, a.message, a.retryAfter));
  return { code: a.grpc as grpc.status, details: a.message, metadata: md, withheld: a.withheld };
}

export function createGrpcServer(opts: OtlpGrpcOptions): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes, // grpc-js defaults to 4 MiB; the spec recommends 64 MiB
    'grpc.max_send_message_length': 4 * 1024 * 1024,
  });
  for (const signal of opts.signals) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: `/${signal.grpcService}/Export`,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: 'export',
      },
    };
    const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
      (async () => {
        const project = await opts.projectFor(call.metadata, call.getPeer());
        const partial = await runExport(signal, takeRequest(call), 'protobuf', project, opts.sink);
        return exportResponse('protobuf', signal.rejectedField, partial) as Buffer;
      })().then(
        (body) => callback(null, body),
        (e: Error) => {
          opts.onRejected?.(signal.name, e);
          const { withheld, ...status } = toServiceError(e, opts.retryAfterSeconds);
          if (withheld) opts.onError?.(withheld, signal.name);
          callback(status);
        },
      );
    };
    server.addService(definition, { Export: handler });
  }
  return server;
}

export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
  );
}

export function shutdownGrpc(server: grpc.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The request bytes, no longer referenced by the call while the rows wait for the commit (see takeBody in http.ts). */
function takeRequest(call: grpc.ServerUnaryCall<Buffer, Buffer>): Buffer {
  const body = call.request;
  (call as { request: Buffer | undefined }).request = undefined;
  return body;
}
