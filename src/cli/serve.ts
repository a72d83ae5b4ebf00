import { loadConfig } from '../config.js';
import { startService } from '../service.js';
import { DataDirLockedError } from '../store/clickhouse.js';
import type { Command } from './main.js';

export const serveCommand: Command = {
  summary: 'Run the collector: OTLP/HTTP and the API on TRACEMILL_HTTP_PORT, OTLP/gRPC on TRACEMILL_GRPC_PORT.',
  usage: 'tracemill serve',
  async run(): Promise<number> {
    const config = loadConfig();
    let service;
    try {
      service = await startService(config);
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
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down: draining the write queue');
        service.close().then(
          () => resolve(),
          (e: Error) => {
            log.error({ err: e }, 'shutdown failed');
            resolve();
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    log.info('stopped');
    return 0;
  },
};
