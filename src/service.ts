// Wires the pipeline together: store -> migrations -> writer -> sink -> HTTP and gRPC receivers and the API.
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type * as grpc from '@grpc/grpc-js';
import type { LogRecord, Span } from './receivers/otlp/model.js';
import { type Config, ConfigError } from './config.js';
import { AuthError, KeyRing, presentedKey } from './auth/keys.js';
import { RateLimiter } from './auth/rate-limit.js';
import { callerId, headerKey, installAuth } from './api/auth.js';
import { HttpError } from './receivers/export.js';
import { GrpcCode } from './receivers/otlp/responses.js';
import { adminRoutes } from './api/admin.js';
import './api/decorations.js';
import { metricsRoute } from './api/metrics.js';
import { registerOpenApi } from './api/openapi.js';
import { ServiceMetrics, rejectReason } from './service-metrics.js';
import { queryRoutes } from './api/query/index.js';
import { healthRoutes } from './api/health.js';
import { Settler } from './analysis/settle.js';
import { loadRules } from './normalize/load-rules.js';
import { createSink, logRows, metricRows, spanRows } from './pipeline.js';
import { bindGrpc, createGrpcServer, shutdownGrpc } from './receivers/grpc.js';
import { otlpHttpPlugin } from './receivers/http.js';
import { SIGNALS } from './receivers/signals.js';
import { type Store, openStore } from './store/clickhouse.js';
import { type MigrateResult, migrate } from './store/migrate.js';
import { BatchWriter } from './store/writer.js';

export interface Service {
  config: Config;
  store: Store;
  writer: BatchWriter;
  /** Rebuilds normalized operations and failures of groups whose data has settled. */
  normalizer: Settler;
  http: FastifyInstance;
  grpc: grpc.Server;
  httpUrl: string;
  grpcPort: number;
  migrations: MigrateResult;
  close(): Promise<void>;
}

export async function startService(config: Config): Promise<Service> {
  const ring = new KeyRing(config.apiKeys ?? [], config.defaultProject);
  if (!ring.enabled && !isLoopback(config.host) && !config.allowUnauthenticated) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without API keys: anyone who can reach it could read every prompt and tool argument. ` +
        'Set TRACEMILL_API_KEYS (docs/security.md), or TRACEMILL_ALLOW_UNAUTHENTICATED=1 if a proxy in front of tracemill authenticates, or TRACEMILL_HOST=127.0.0.1.',
    );
  }
  const limiter = new RateLimiter(config.rateLimitRps);
  // A bad rules file stops the start with the rule named, before anything is opened.
  const rules = config.rulesFile ? loadRules(config.rulesFile) : undefined;
  const store = openStore(config);
  let migrations: MigrateResult;
  try {
    migrations = await migrate(store, { retentionDays: config.retentionDays });
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  const writer = new BatchWriter(store, {
    maxRows: config.batchMaxRows,
    maxDelayMs: config.batchMaxDelayMs,
    maxQueueBytes: config.queueMaxBytes,
    onInsert: (seconds, ok, rows) => {
      metrics.insertSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
      for (const [table, n] of Object.entries(rows)) metrics.written.inc({ table }, n);
    },
  });
  const normalizer = new Settler(store, {
    settleMs: config.settleMs,
    rules,
    onError: (err) => http.log.warn({ err: err.message }, 'normalization failed; will retry'),
    onRebuilt: (groups) => metrics.settleRebuilds.inc(groups),
  });
  const afterCommit = (signal: string, items: unknown[], ctx: { project: string }) => {
    if (signal === 'traces') normalizer.touchSpans(ctx.project, items as Span[]);
    else if (signal === 'logs') normalizer.touchLogs(ctx.project, items as LogRecord[]);
  };
  const metrics = new ServiceMetrics({
    queuedBytes: () => writer.queuedBytes,
    queuedRequests: () => writer.stats.queuedRequests,
    pendingGroups: () => normalizer.pendingGroups,
  });
  const sink = createSink(
    writer,
    { traces: spanRows as never, logs: logRows as never, metrics: metricRows as never },
    {
      afterCommit,
      metrics,
      limits: { maxAttributes: config.maxAttributes, maxValueChars: config.maxValueChars },
      maxItemsPerRequest: config.maxItemsPerRequest,
    },
  );
  // OTLP export needs the ingest scope; the key's project is where the data lands.
  const ingestProject = (secret: string | undefined, caller: string): string => {
    let principal;
    try {
      principal = ring.authenticate(secret, 'ingest');
    } catch (e) {
      if (e instanceof AuthError) throw new HttpError(e.statusCode, e.message, e.statusCode === 401 ? GrpcCode.UNAUTHENTICATED : GrpcCode.PERMISSION_DENIED);
      throw e;
    }
    limiter.take(callerId(principal, caller));
    return principal.project;
  };

  const http = Fastify({
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  http.decorate('config', config);
  http.decorate('store', store);
  installAuth(http, ring, limiter, config.retryAfterSeconds);
  await registerOpenApi(http);
  await http.register(healthRoutes, { store });
  await http.register(adminRoutes, { store, retentionDays: config.retentionDays, normalizer });
  await http.register(queryRoutes);
  await http.register(metricsRoute, { metrics });
  await http.register(otlpHttpPlugin, {
    signals: SIGNALS,
    sink,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    projectFor: (req) => ingestProject(headerKey(req), req.ip),
    onRejected: (signal, err) => metrics.rejectedRequests.inc({ signal, transport: 'http', reason: rejectReason(err) }),
  });
  const grpcServer = createGrpcServer({
    signals: SIGNALS,
    sink,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    projectFor: (md, peer) => ingestProject(presentedKey(metadataText(md, 'authorization'), metadataText(md, 'x-api-key')), peer.replace(/:\d+$/, '')),
    onRejected: (signal, err) => metrics.rejectedRequests.inc({ signal, transport: 'grpc', reason: rejectReason(err) }),
    onError: (err, signal) => http.log.warn({ err: err.message, signal }, 'gRPC export not stored'),
  });

  let httpUrl: string;
  let grpcPort: number;
  try {
    await normalizer.start();
    httpUrl = await http.listen({ host: config.host, port: config.httpPort });
    grpcPort = await bindGrpc(grpcServer, config.host, config.grpcPort);
  } catch (e) {
    await http.close().catch(() => undefined);
    grpcServer.forceShutdown();
    await writer.close();
    await normalizer.close();
    await store.close();
    throw e;
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Stop taking requests, answer the ones in flight (their rows are committed by the drain), then close.
      await Promise.all([http.close(), shutdownGrpc(grpcServer)]);
      await writer.close();
      await normalizer.close();
      await store.close();
    })());

  return { config, store, writer, normalizer, http, grpc: grpcServer, httpUrl, grpcPort, migrations, close };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function metadataText(md: grpc.Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}
