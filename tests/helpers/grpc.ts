// A raw OTLP/gRPC client (identity serializers): sends any bytes to a service's Export and reports the status,
// so tests can send what no exporter would (garbage, oversized, gzip) and read the response bytes.
import * as grpc from '@grpc/grpc-js';

export const SERVICES = {
  traces: 'opentelemetry.proto.collector.trace.v1.TraceService',
  logs: 'opentelemetry.proto.collector.logs.v1.LogsService',
  metrics: 'opentelemetry.proto.collector.metrics.v1.MetricsService',
} as const;

export interface GrpcResult {
  code: grpc.status;
  details: string;
  metadata: Record<string, unknown>;
  response?: Buffer;
}

const identity = (b: Buffer): Buffer => b;

export function grpcExport(
  port: number,
  signal: keyof typeof SERVICES,
  body: Buffer,
  opts: { gzip?: boolean; metadata?: Record<string, string> } = {},
): Promise<GrpcResult> {
  // grpc-js compression algorithms: 0 identity, 1 deflate, 2 gzip.
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), opts.gzip ? { 'grpc.default_compression_algorithm': 2 } : {});
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(opts.metadata ?? {})) md.set(k, v);
  return new Promise((resolve) => {
    client.makeUnaryRequest(`/${SERVICES[signal]}/Export`, identity, identity, body, md, (err, response) => {
      client.close();
      if (err) resolve({ code: err.code, details: err.details, metadata: err.metadata?.getMap() ?? {} });
      else resolve({ code: grpc.status.OK, details: '', metadata: {}, response });
    });
  });
}
