// Self-telemetry: tracemill's own traces through the OpenTelemetry SDK, for whoever runs it. Off unless
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK's usual variables pick
// the protocol, headers and sampler). Two rules keep it from feeding itself:
//   - an endpoint that is this tracemill (a local address and one of its ports) is refused, with a log line;
//   - OTLP ingest is never traced (nor probes and /metrics): only the query API and admin requests are, so
//     even a loop through another collector could not grow with the ingest traffic.
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { type Context, type Span, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/** Routes never traced: OTLP ingest (its own data must not come back as more data), probes, scrapes. */
const UNTRACED = /^\/(v1\/(traces|logs|metrics)|healthz|readyz|metrics)$/;

export interface Listeners {
  host: string;
  httpPort: number;
  grpcPort: number;
}

export interface SelfTelemetry {
  /** Where traces would go. */
  endpoint: string;
  /** Adds the request hooks; call before any route is registered (ServiceOptions.instrument). */
  instrument(app: FastifyInstance): void;
  /** Starts exporting, unless the endpoint is this service: then returns why not and exports nothing. */
  start(self: Listeners): Promise<string | undefined>;
  shutdown(): Promise<void>;
}

/** The endpoint traces would be sent to, or undefined when self-telemetry is off. */
export function traceEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  if (/^(1|true)$/i.test(env.OTEL_SDK_DISABLED ?? '')) return undefined;
  if ((env.OTEL_TRACES_EXPORTER ?? '').split(',').some((e) => e.trim() === 'none')) return undefined;
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
}

/** host and port an OTLP endpoint connects to (`host:port` without a scheme is what gRPC users often write). */
export function endpointAddress(endpoint: string): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  } catch {
    return undefined;
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

function localAddresses(): Set<string> {
  const out = new Set(['0.0.0.0', '::', '::1', 'localhost']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** Why `endpoint` is this tracemill itself (a loop), or '' when it is somewhere else. */
export async function selfLoop(endpoint: string, self: Listeners): Promise<string> {
  const at = endpointAddress(endpoint);
  if (!at || (at.port !== self.httpPort && at.port !== self.grpcPort)) return '';
  const local = localAddresses();
  local.add(self.host);
  let addresses: string[];
  try {
    addresses = (await lookup(at.host, { all: true })).map((a) => a.address);
  } catch {
    addresses = [at.host];
  }
  const isLocal = (a: string) => local.has(a) || /^127\./.test(a) || /^::ffff:127\./.test(a);
  if (!addresses.some(isLocal)) return '';
  return `${endpoint} is this tracemill (port ${at.port}): its own traces would come back to it as data`;
}

const spans = new WeakMap<FastifyRequest, Span>();

function onRequest(req: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const parent: Context = propagation.extract(context.active(), req.headers);
  const route = req.routeOptions.url ?? req.url.split('?')[0];
  const span = trace.getTracer('tracemill').startSpan(
    `${req.method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': route, 'url.path': req.url.split('?')[0] } },
    parent,
  );
  spans.set(req, span);
  done();
}

function onResponse(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const span = spans.get(req);
  if (span) {
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    spans.delete(req);
  }
  done();
}

function appendHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  return existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/** Self-telemetry from the environment, or undefined when it is off (the default). */
export function selfTelemetry(env: NodeJS.ProcessEnv = process.env): SelfTelemetry | undefined {
  const endpoint = traceEndpoint(env);
  if (!endpoint) return undefined;
  let sdk: { shutdown(): Promise<void> } | undefined;
  return {
    endpoint,
    instrument(app) {
      app.addHook('onRoute', (route: RouteOptions) => {
        if (UNTRACED.test(route.url)) return;
        route.onRequest = appendHook(route.onRequest as never, onRequest as never);
        route.onResponse = appendHook(route.onResponse as never, onResponse as never);
      });
    },
    async start(self) {
      const loop = await selfLoop(endpoint, self);
      if (loop) return loop;
      // Loaded only when used: the SDK and its exporters take a while to import.
      const { NodeSDK } = await import('@opentelemetry/sdk-node');
      const nodeSdk = new NodeSDK({
        // Traces only: no metric readers or log processors (GET /metrics is the metrics interface).
        serviceName: env.OTEL_SERVICE_NAME ? undefined : 'tracemill',
        metricReaders: [],
        logRecordProcessors: [],
        instrumentations: [],
      });
      nodeSdk.start();
      sdk = nodeSdk;
      return undefined;
    },
    async shutdown() {
      await sdk?.shutdown();
    },
  };
}
