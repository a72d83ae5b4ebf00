// Wires the pipeline together: store -> migrations -> writer -> sink -> HTTP and gRPC receivers and the API.
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type * as grpc from '@grpc/grpc-js';
import type { LogRecord, Span } from './model/otlp.js';
import { type Config, ConfigError } from './config.js';
import { AuthError, KEY_REQUIRED, KeyRing, checkScope, presentedKey, unsafeExposure } from './auth/keys.js';
import { RateLimiter } from './auth/rate-limit.js';
import { callerId, installAuth } from './api/auth.js';
import { adminRoutes } from './api/admin.js';
import { sendApiError } from './api/errors.js';
import { TracemillError } from './model/errors.js';
import { exportRoutes } from './api/exports.js';
import { JobScheduler } from './jobs/scheduler.js';
import './api/decorations.js';
import { metricsRoute } from './api/metrics.js';
import { registerOpenApi } from './api/openapi.js';
import { ServiceMetrics, rejectReason } from './service-metrics.js';
import { mcpRoutes } from './api/mcp.js';
import { uiRoutes } from './api/ui.js';
import { queryRoutes } from './api/query/index.js';
import { healthRoutes } from './api/health.js';
import { type GroupTouch, groupsOf } from './settle/groups.js';
import { Settler } from './settle/settler.js';
import { AlertsConfig } from './alerts/config.js';
import { RegressionLoop } from './alerts/loop.js';
import { loadRules } from './normalize/load-rules.js';
import { createSink, logRows, metricRows, spanRows } from './pipeline.js';
import { bindGrpc, createGrpcServer, shutdownGrpc } from './receivers/grpc.js';
import { otlpHttpPlugin, refuseExport } from './receivers/http.js';
import { SIGNALS } from './receivers/signals.js';
import { type Store, openStore } from './store/clickhouse.js';
import { type MigrateResult, migrate } from './store/migrate.js';
import { CommittedMessages } from './store/rows/messages.js';
import { BatchWriter } from './store/writer.js';
import { isStoreUnreachable, waitForStore } from './store/startup.js';

export interface Service {
  config: Config;
  store: Store;
  writer: BatchWriter;
  /** Rebuilds normalized operations and failures of groups whose data has settled. */
  normalizer: Settler;
  /** Regression detection and alert notifications (docs/regressions.md). */
  alerts: RegressionLoop;
  /** Scheduled jobs (config `jobs:`, docs/jobs.md). */
  jobs: JobScheduler;
  http: FastifyInstance;
  grpc: grpc.Server;
  httpUrl: string;
  grpcPort: number;
  migrations: MigrateResult;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** Scheduled jobs: this process's replica id and claim wait (tests). */
  jobs?: { replica?: string; claimWaitMs?: number; settleLagMs?: number };
  /** Called with the HTTP server before any route is added (self-telemetry hooks, src/telemetry.ts). */
  instrument?(app: FastifyInstance): void;
}

export async function startService(config: Config, opts: ServiceOptions = {}): Promise<Service> {
  const ring = new KeyRing(config.apiKeys ?? [], config.defaultProject);
  const exposure = unsafeExposure({ host: config.host, keysEnabled: ring.enabled, allowUnauthenticated: config.allowUnauthenticated });
  if (exposure) throw new ConfigError(exposure);
  const limiter = new RateLimiter(config.rateLimitRps);
  // A bad rules file stops the start with the rule named, before anything is opened.
  const rules = config.rulesFile ? loadRules(config.rulesFile) : undefined;
  const store = openStore(config);
  let migrations: MigrateResult;
  // A ClickHouse server not reachable yet is waited for (exports get 503 until it is, src/store/startup.ts).
  let storeDown: Error | undefined;
  try {
    migrations = await migrate(store, { retentionDays: config.retentionDays });
  } catch (e) {
    if (!isStoreUnreachable(store, e)) {
      await store.close().catch(() => undefined);
      throw e;
    }
    storeDown = e as Error;
    migrations = { applied: [], current: 0 };
  }
  const committedMessages = new CommittedMessages();
  const writer = new BatchWriter(store, {
    maxRows: config.batchMaxRows,
    maxDelayMs: config.batchMaxDelayMs,
    minIntervalMs: config.batchMinIntervalMs,
    maxQueueBytes: config.queueMaxBytes,
    onInsert: (seconds, ok, rows) => {
      // A failed INSERT may mean the store lost recent writes (a restarted server): write histories again.
      if (!ok) committedMessages.clear();
      metrics.insertSeconds.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
      for (const [table, n] of Object.entries(rows)) metrics.written.inc({ table }, n);
    },
  });
  const normalizer = new Settler(store, {
    settleMs: config.settleMs,
    maxWaitMs: config.settleMaxWaitMs,
    rules,
    onError: (err) => http.log.warn({ err: err.message }, 'normalization failed; will retry'),
    onRebuilt: (groups) => metrics.settleRebuilds.inc(groups),
    onRead: ({ spans, logs }) => {
      metrics.settleRowsRead.inc({ table: 'spans' }, spans);
      metrics.settleRowsRead.inc({ table: 'logs' }, logs);
    },
    worker: true,
    maxPending: config.settleMaxPending,
    onOverflow: (pending) => {
      metrics.settleOverflows.inc();
      http.log.warn({ pending }, 'settle backlog full (TRACEMILL_SETTLE_MAX_PENDING): further groups are caught up from the stored data later');
    },
  });
  const alerts = new RegressionLoop({
    store,
    config: config.alerts ?? AlertsConfig.parse({}),
    harnessAttributes: config.harnessAttributes,
    log: { warn: (obj, msg) => http.log.warn(obj, msg) },
  });
  const commitKeys = (signal: string, items: unknown[]): GroupTouch[] => (signal === 'metrics' ? [] : groupsOf(items as (Span | LogRecord)[]));
  const afterCommit = (_signal: string, keys: GroupTouch[], ctx: { project: string }) => normalizer.touchGroups(ctx.project, keys);
  const metrics = new ServiceMetrics({
    queuedBytes: () => writer.queuedBytes,
    queuedRequests: () => writer.stats.queuedRequests,
    pendingGroups: () => normalizer.pendingGroups,
    settledThrough: () => normalizer.settledThrough(),
  });
  const sink = createSink(
    writer,
    { traces: spanRows(committedMessages), logs: logRows as never, metrics: metricRows as never },
    {
      commitKeys,
      afterCommit,
      metrics,
      limits: { maxAttributes: config.maxAttributes, maxValueChars: config.maxValueChars },
      maxItemsPerRequest: config.maxItemsPerRequest,
    },
  );
  // OTLP/gRPC export needs the ingest scope; the key's project is where the data lands. (OTLP/HTTP is
  // checked by the auth hook before the body is read, and finds the principal on the request.)
  const grpcIngestProject = (md: grpc.Metadata, peer: string): string => {
    const address = peer.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    let principal;
    try {
      principal = ring.identify(presentedKey(metadataText(md, 'authorization'), metadataText(md, 'x-api-key')));
    } catch (e) {
      if (e instanceof AuthError) limiter.take(`ip:${address}`); // failed attempts count against the address
      throw e;
    }
    checkScope(principal, 'ingest');
    limiter.take(callerId(principal, address));
    return principal.project;
  };

  const http = Fastify({
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Session ids may be 512 characters (the documented limit, SessionParams); fastify's default is 100.
    routerOptions: { maxParamLength: 1024 },
  });
  opts.instrument?.(http);
  // One error shape for every route and for unknown paths (route groups with their own answers override it).
  http.setErrorHandler((err, _req, reply) => sendApiError(reply, err, config.retryAfterSeconds));
  http.setNotFoundHandler((req, reply) => sendApiError(reply, new TracemillError('not_found', `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}`), 0));
  http.decorate('config', config);
  http.decorate('store', store);
  http.decorate('freshness', () => ({ settled_through: new Date(normalizer.settledThrough()).toISOString(), pending_groups: normalizer.pendingGroups }));
  installAuth(http, {
    ring,
    limiter,
    retryAfterSeconds: config.retryAfterSeconds,
    onIngestRefused: (req, err) =>
      metrics.rejectedRequests.inc({ signal: SIGNALS.find((s) => s.httpPath === req.routeOptions.url)?.name ?? 'unknown', transport: 'http', reason: rejectReason(err) }),
    refuseIngest: (req, reply, err) => refuseExport(req, reply, err, config.retryAfterSeconds),
  });
  await registerOpenApi(http);
  await http.register(healthRoutes, { store });
  await http.register(adminRoutes, { store, retentionDays: config.retentionDays, normalizer });
  await http.register(queryRoutes);
  await http.register(mcpRoutes);
  await http.register(uiRoutes);
  await http.register(metricsRoute, { metrics });
  const jobs = new JobScheduler({
    store,
    jobs: config.jobs,
    defaultProject: config.defaultProject,
    harnessAttributes: config.harnessAttributes,
    log: http.log,
    baseUrl: () => httpUrl,
    ...opts.jobs,
    onRun: (job, status, at) => {
      metrics.jobRuns.inc({ job, status });
      if (status === 'ok') metrics.jobLastSuccess.set({ job }, at.getTime() / 1000);
    },
  });
  await http.register(exportRoutes, { scheduler: jobs });
  await http.register(otlpHttpPlugin, {
    signals: SIGNALS,
    sink,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    projectFor: (req) => {
      // Set by the auth hook, which checked the ingest scope before the body was read.
      if (!req.principal.scopes.has('ingest')) throw new AuthError(401, KEY_REQUIRED);
      return req.principal.project;
    },
    onRejected: (signal, err) => metrics.rejectedRequests.inc({ signal, transport: 'http', reason: rejectReason(err) }),
  });
  const grpcServer = createGrpcServer({
    signals: SIGNALS,
    sink,
    maxBodyBytes: config.maxBodyBytes,
    retryAfterSeconds: config.retryAfterSeconds,
    projectFor: grpcIngestProject,
    onRejected: (signal, err) => metrics.rejectedRequests.inc({ signal, transport: 'grpc', reason: rejectReason(err) }),
    onError: (err, signal) => http.log.warn({ err, signal }, 'gRPC export not stored'),
  });

  let httpUrl: string;
  let grpcPort: number;
  if (storeDown) writer.pause(`the store is not reachable yet (${storeDown.message.split('\n')[0]})`);
  try {
    if (!storeDown) await normalizer.start();
    alerts.start();
    httpUrl = await http.listen({ host: config.host, port: config.httpPort });
    grpcPort = await bindGrpc(grpcServer, config.host, config.grpcPort);
    jobs.start();
  } catch (e) {
    await http.close().catch(() => undefined);
    grpcServer.forceShutdown();
    await writer.close();
    await normalizer.close();
    await alerts.close();
    await store.close();
    throw e;
  }

  // Until the store answers: exports get 503 / UNAVAILABLE and /readyz 503; then migrate and take exports.
  const waiter = storeDown
    ? waitForStore({
        attempt: async () => {
          Object.assign(migrations, await migrate(store, { retentionDays: config.retentionDays }));
          await normalizer.start();
          writer.resume();
          http.log.info({ store: store.description, migrationsApplied: migrations.applied }, 'the store answers: taking exports');
        },
        onRetry: (err, ms) => http.log.warn({ store: store.description, err: err.message.split('\n')[0] }, `the store is not reachable; exports get 503; next try in ${ms} ms`),
      })
    : undefined;

  let closing: Promise<void> | undefined;
  let shutdownStarted = 0;
  const close = () =>
    (closing ??= (async () => {
      shutdownStarted = Date.now();
      waiter?.stop();
      // Stop taking requests, answer the ones in flight (their rows are committed by the drain), then close.
      await Promise.all([http.close(), shutdownGrpc(grpcServer), jobs.close(), alerts.close()]);
      await writer.close();
      // Normalize what waits while the grace period lasts, leaving time to close the store; the rest is
      // settled after the next start (the watermark was not moved past it). src/cli/commands/serve.ts
      // exits at the end of the grace period whatever is still running.
      await normalizer.close(shutdownStarted + config.shutdownGraceMs - Math.min(5_000, config.shutdownGraceMs / 5));
      await store.close();
    })());

  return { config, store, writer, normalizer, alerts, jobs, http, grpc: grpcServer, httpUrl, grpcPort, migrations, close };
}

function metadataText(md: grpc.Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}
