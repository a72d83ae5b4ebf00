// Configuration: one zod schema, read from the environment (and an optional JSON/YAML file).
// Every setting is listed once in SETTINGS; the README's configuration table is checked against it by a test.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ApiKeysSchema } from './auth/keys.js';
import { type AlertsConfig, AlertsConfigError, parseAlertsConfig } from './alerts/config.js';
import { JobsSchema, jobIssuePath } from './jobs/config.js';

const MiB = 1024 * 1024;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

/** Attribute names (resource or span) whose values together name a harness: `a,b` or a list. */
const attributeList = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.\-/]{1,128}$/, 'an attribute name')).min(1).max(8));

/** name -> [environment variable, schema with default, description]. */
export const SETTINGS = {
  host: ['TRACEMILL_HOST', z.string().min(1).default('127.0.0.1'), 'Address the HTTP and gRPC listeners bind to.'],
  httpPort: ['TRACEMILL_HTTP_PORT', port.default(4318), 'OTLP/HTTP and query API port (0 picks a free port).'],
  grpcPort: ['TRACEMILL_GRPC_PORT', port.default(4317), 'OTLP/gRPC port (0 picks a free port).'],
  dataDir: ['TRACEMILL_DATA_DIR', z.string().min(1).default('./data'), 'Embedded ClickHouse data directory (used when CLICKHOUSE_URL is unset).'],
  clickhouseUrl: ['CLICKHOUSE_URL', z.string().url().optional(), 'ClickHouse server URL, e.g. http://localhost:8123. Unset: embedded storage.'],
  clickhouseUser: ['CLICKHOUSE_USER', z.string().default('default'), 'ClickHouse user (server mode).'],
  clickhousePassword: ['CLICKHOUSE_PASSWORD', z.string().default(''), 'ClickHouse password (server mode).'],
  clickhouseDatabase: ['CLICKHOUSE_DATABASE', z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('default'), 'ClickHouse database holding the tables.'],
  clickhouseCluster: [
    'TRACEMILL_CLICKHOUSE_CLUSTER',
    z.string().regex(/^[A-Za-z0-9_.{}-]+$/, 'a cluster name from remote_servers, or a macro such as {cluster}').optional(),
    'ClickHouse cluster (server mode): migrations run ON CLUSTER, data in Replicated*MergeTree `<table>_local` tables behind Distributed tables sharded by trace id. See docs/scaling.md. Unset: one server.',
  ],
  defaultProject: ['TRACEMILL_PROJECT', z.string().min(1).max(128).default('default'), 'Project id given to data sent without an API key.'],
  retentionDays: ['TRACEMILL_RETENTION_DAYS', z.coerce.number().int().min(0).default(0), 'Days to keep data (ClickHouse TTL); 0 keeps everything.'],
  maxBodyBytes: ['TRACEMILL_MAX_BODY_BYTES', positiveInt.default(64 * MiB), 'Largest accepted request, checked before and after decompression (bytes).'],
  maxItemsPerRequest: ['TRACEMILL_MAX_ITEMS_PER_REQUEST', positiveInt.default(100_000), 'Most spans, log records or data points in one export request; more is refused with 413 / RESOURCE_EXHAUSTED.'],
  maxAttributes: ['TRACEMILL_MAX_ATTRIBUTES', positiveInt.default(4096), 'Attributes kept per span or log record; the rest are dropped and counted in dropped_attributes_count.'],
  maxValueChars: ['TRACEMILL_MAX_VALUE_CHARS', positiveInt.default(4 * MiB), 'Longest attribute value or log body kept (characters); longer ones are cut and their keys listed in the tracemill.truncated attribute.'],
  batchMaxRows: ['TRACEMILL_BATCH_MAX_ROWS', positiveInt.default(50_000), 'Group commit: flush when this many rows are waiting.'],
  batchMaxDelayMs: ['TRACEMILL_BATCH_MAX_DELAY_MS', z.coerce.number().int().min(0).default(10), 'Group commit: longest wait for more rows before a flush (ms).'],
  batchMinIntervalMs: ['TRACEMILL_BATCH_MIN_INTERVAL_MS', z.coerce.number().int().min(0).default(100), 'Group commit: least time between the starts of two INSERTs unless TRACEMILL_BATCH_MAX_ROWS rows wait (ms); fewer, larger parts under load.'],
  queueMaxBytes: ['TRACEMILL_QUEUE_MAX_BYTES', positiveInt.default(256 * MiB), 'Write queue bound; beyond it requests get 429/UNAVAILABLE (bytes of encoded rows).'],
  retryAfterSeconds: ['TRACEMILL_RETRY_AFTER_SECONDS', positiveInt.default(2), 'Retry-After sent with 429 and 503 answers.'],
  settleMs: ['TRACEMILL_SETTLE_MS', z.coerce.number().int().min(0).default(5000), 'Quiet time after a trace or session last received data before its normalized records and failures are rebuilt (ms).'],
  settleMaxWaitMs: [
    'TRACEMILL_SETTLE_MAX_WAIT_MS',
    positiveInt.default(10_000),
    'Longest a conversation that keeps receiving data waits before what it received so far is normalized, without a quiet time (ms); its later data is added in the next rebuild.',
  ],
  settleMaxPending: [
    'TRACEMILL_SETTLE_MAX_PENDING',
    positiveInt.default(100_000),
    'Most conversations or traces waiting to be normalized that the service keeps in memory; past it new ones are left to a catch-up from the stored data (logged, counted in tracemill_settle_overflows_total).',
  ],
  shutdownGraceMs: [
    'TRACEMILL_SHUTDOWN_GRACE_MS',
    positiveInt.default(25_000),
    'On SIGTERM: longest time to answer requests in flight, commit the write queue and normalize what is waiting before the process exits; what is left is normalized after the next start (ms; inside Kubernetes\' default 30 s).',
  ],
  rulesFile: ['TRACEMILL_RULES', z.string().optional(), 'Optional JSON or YAML file of normalization rules for your own harness (docs/normalization.md).'],
  apiKeys: [
    'TRACEMILL_API_KEYS',
    ApiKeysSchema.optional(),
    'API keys, `project:scope+scope:secret` separated by commas (scopes: ingest, read, admin; the secret may be given as `sha256:<hex>`), or a JSON list of `{key or sha256, project, scopes, name}` (the config file takes the list as is). Unset: no authentication (loopback only). See docs/security.md.',
  ],
  allowUnauthenticated: ['TRACEMILL_ALLOW_UNAUTHENTICATED', bool.default(false), 'Set to 1 to serve without API keys on a non-loopback address (otherwise refused).'],
  rateLimitRps: ['TRACEMILL_RATE_LIMIT_RPS', z.coerce.number().min(0).default(0), 'Requests per second allowed per API key (per client address without keys), bursts of twice that; beyond it 429/UNAVAILABLE with Retry-After. 0: no limit.'],
  harnessAttributes: [
    'TRACEMILL_HARNESS_ATTRIBUTES',
    attributeList.default(['service.name', 'service.version']),
    'Resource or span attributes whose values, joined by `@`, name the harness of a run (comma-separated, e.g. `service.name,agent.harness.version`): `group_by=harness`, `harness:` in /api/v1/failures/compare, regression alerts (docs/regressions.md).',
  ],
  logLevel: ['TRACEMILL_LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'Log level.'],
  jobs: [
    'TRACEMILL_JOBS',
    JobsSchema.default([]),
    'Scheduled exports and reports: the `jobs:` list of the config file (or the same list as JSON here). See docs/jobs.md.',
  ],
  configFile: ['TRACEMILL_CONFIG', z.string().optional(), 'Optional JSON or YAML file with any of these settings (keys as in this table, camelCase or the variable name). Environment wins.'],
} as const;

type Settings = typeof SETTINGS;
/** The settings, and the `alerts:` section of the settings file (src/alerts/config.ts; defaults without a file). */
export type Config = { [K in keyof Settings]: z.output<Settings[K][1]> } & { alerts?: AlertsConfig };

const shape = Object.fromEntries(Object.entries(SETTINGS).map(([k, [, schema]]) => [k, schema])) as {
  [K in keyof Settings]: Settings[K][1];
};
export const ConfigSchema = z.object(shape).strict();

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read TRACEMILL_CONFIG file ${path}: ${(e as Error).message}`);
  }
  const doc: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (typeof doc !== 'object' || doc === null) throw new ConfigError(`${path} must hold an object of settings`);
  const byEnv = new Map(Object.entries(SETTINGS).map(([k, [env]]) => [env as string, k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'alerts') {
      try {
        out.alerts = parseAlertsConfig(v, path);
      } catch (e) {
        if (e instanceof AlertsConfigError) throw new ConfigError(`invalid alerts configuration:\n  ${e.message}`);
        throw e;
      }
      continue;
    }
    const key = k in SETTINGS ? k : byEnv.get(k);
    if (!key) throw new ConfigError(`${path}: unknown setting "${k}" (known: ${Object.keys(SETTINGS).join(', ')})`);
    out[key] = v;
  }
  return out;
}

/** Builds the configuration from a file (optional), the environment and explicit overrides, in that order. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  const raw: Record<string, unknown> = {};
  const file = overrides.configFile ?? env.TRACEMILL_CONFIG;
  if (typeof file === 'string' && file) Object.assign(raw, readConfigFile(file));
  let alerts = raw.alerts as AlertsConfig | undefined;
  delete raw.alerts;
  for (const [key, [envName]] of Object.entries(SETTINGS)) {
    const v = env[envName];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined && k !== 'alerts') raw[k] = v;
  if (overrides.alerts !== undefined) alerts = parseAlertsConfig(overrides.alerts, 'overrides');
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? '');
      // A job's error names the job and the field, and the file it came from.
      if (key === 'jobs') return `${env.TRACEMILL_JOBS ? 'TRACEMILL_JOBS' : String(file)}: ${jobIssuePath(i.path, raw.jobs)}: ${i.message}`;
      const envName = key in SETTINGS ? SETTINGS[key as keyof Settings][0] : key;
      return `${envName}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { ...(parsed.data as Config), ...(alerts ? { alerts } : {}) };
}

function defaultOf(schema: z.ZodType): string {
  const r = schema.safeParse(undefined);
  if (!r.success || r.data === undefined) return '(unset)';
  if (r.data === '') return '(empty)';
  if (Array.isArray(r.data) && r.data.length === 0) return '(none)';
  return `\`${String(r.data)}\``;
}

/** The README's configuration table, generated from SETTINGS (a test keeps the README in step). */
export function configTable(): string {
  const rows = Object.values(SETTINGS).map(([env, schema, description]) => `| \`${env}\` | ${defaultOf(schema)} | ${description} |`);
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
