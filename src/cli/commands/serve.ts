import { loadConfig } from '../../config.js';
import { startService } from '../../service.js';
import { DataDirLockedError } from '../../store/clickhouse.js';
import { selfTelemetry } from '../../telemetry.js';
import type { Command } from '../command.js';

export const serveCommand: Command = {
  summary: 'Run the collector: OTLP/HTTP and the API on TRACEMILL_HTTP_PORT, OTLP/gRPC on TRACEMILL_GRPC_PORT.',
  usage: 'tracemill serve',
  async run(): Promise<number> {
    const config = loadConfig();
    // Off unless OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (src/telemetry.ts).
    const telemetry = selfTelemetry(process.env);
    let service;
    try {
      service = await startService(config, { instrument: telemetry?.instrument });
    } catch (e) {
      if (e instanceof DataDirLockedError) {
        console.error(`tracemill: ${e.message}.\nStop the other process, or give this one its own TRACEMILL_DATA_DIR.`);
        return 1;
      }
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        console.error(`tracemill: ${(e as Error).message}: another process holds the port. Set TRACEMILL_HTTP_PORT / TRACEMILL_GRPC_PORT to free ports.`);
        return 1;
      }
      throw e;
    }
    const log = service.http.log;
    log.info(
      { http: service.httpUrl, grpc: `${config.host}:${service.grpcPort}`, store: service.store.description, migrationsApplied: service.migrations.applied },
      `tracemill ready: OTLP/HTTP ${service.httpUrl}/v1/traces, OTLP/gRPC ${config.host}:${service.grpcPort}`,
    );
    if (telemetry) {
      const refused = await telemetry
        .start({ host: config.host, httpPort: Number(new URL(service.httpUrl).port), grpcPort: service.grpcPort })
        .catch((e: Error) => `the OpenTelemetry SDK did not start: ${e.message}`);
      if (refused) log.warn({ endpoint: telemetry.endpoint }, `self-telemetry off: ${refused}`);
      else log.info({ endpoint: telemetry.endpoint }, 'self-telemetry on: traces of query API and admin requests');
    }
    const clean = await new Promise<boolean>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining the write queue');
        // The grace period is a promise to the orchestrator (Kubernetes kills at 30 s): keep it whatever is
        // still running. Rows acknowledged are committed already; unsettled analysis is redone after the next
        // start. Normalization runs in a worker thread, so this timer fires on time.
        setTimeout(() => {
          log.warn({ graceMs: config.shutdownGraceMs }, 'grace period over: exiting; analysis not finished is settled after the next start');
          process.exit(1);
        }, config.shutdownGraceMs).unref();
        service.close().then(
          () => resolve(true),
          (e: Error) => {
            log.error({ err: e }, 'shutdown failed');
            resolve(false);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await telemetry?.shutdown().catch(() => undefined); // sends the last spans
    log.info('stopped');
    return clean ? 0 : 1;
  },
};
