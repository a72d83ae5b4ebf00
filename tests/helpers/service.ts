// Starts a real tracemill service (embedded ClickHouse in a temp dir, free ports) for one test file.
// chdb binds one data directory per process, so each test file runs one service and shares it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config.js';
import { type Service, startService } from '../../src/service.js';
import { CLAUDE_CODE_FIXTURES } from './fixtures.js';

export interface TestService extends Service {
  dataDir: string;
  /** Runs a query against the service's own store. */
  rows<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startTestService(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-test-'));
  const config = loadConfig({}, { dataDir, httpPort: 0, grpcPort: 0, logLevel: 'silent', batchMaxDelayMs: 2, ...overrides });
  const service = await startService(config);
  return Object.assign(service, {
    dataDir,
    rows: <T>(sql: string, params?: Record<string, unknown>) => service.store.query<T>(sql, params),
    async stop() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** POSTs an OTLP body and returns status, headers and the raw response body. */
export async function post(
  url: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** POSTs the Claude Code captures (tests/fixtures/claude-code/<dir>, spans then logs) as OTLP/JSON; throws unless each is accepted. */
export async function postCaptures(baseUrl: string, dirs: readonly string[] = ['tools', 'subagent', 'compaction']): Promise<void> {
  for (const dir of dirs) {
    for (const signal of ['traces', 'logs']) {
      const res = await post(`${baseUrl}/v1/${signal}`, readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`)), { 'content-type': 'application/json' });
      if (res.status !== 200) throw new Error(`${dir}/${signal}: ${res.status}`);
    }
  }
}
