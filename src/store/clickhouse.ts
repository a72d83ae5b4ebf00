// The one ClickHouse client: embedded (chdb through @clickhouse/client's pluggable connection) or a server.
// Every query and command goes through @clickhouse/client with bound parameters, the same SQL in both modes.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { type ClickHouseClient, type ClickHouseSettings, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import type { Config } from '../config.js';
import type { ClusterOptions } from './cluster.js';
import { Spool, sqlString } from './spool.js';

export type StoreMode = 'embedded' | 'server';

/** Raised when the embedded data directory is held by another process (chdb allows one per directory). */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

type ChdbRaw = {
  rawInsert(p: { table: string; columns: string[]; format: string; values: Buffer }): Promise<unknown>;
  queryAsync(sql: string, opts?: { format?: string }): Promise<unknown>;
};

/**
 * Settings of every INSERT. optimize_on_insert=0: a ReplacingMergeTree does not collapse duplicates inside the
 * inserted block (reads use FINAL, merges collapse them later); collapsing at insert cost 2-3x the insert
 * (measured on the spans table, bench/run.ts).
 */
const INSERT_SETTINGS: ClickHouseSettings = { optimize_on_insert: 0 };
const INSERT_SETTINGS_SQL = Object.entries(INSERT_SETTINGS)
  .map(([k, v]) => `${k} = ${Number(v)}`)
  .join(', ');

export interface Store {
  readonly mode: StoreMode;
  readonly client: ClickHouseClient;
  readonly description: string;
  /** Set in cluster mode (TRACEMILL_CLICKHOUSE_CLUSTER): migrations run ON CLUSTER (src/store/cluster.ts). */
  readonly cluster?: ClusterOptions;
  /** Runs a SELECT and returns its rows (JSONEachRow, 64-bit integers as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>, settings?: ClickHouseSettings): Promise<T[]>;
  command(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Inserts pre-encoded JSONCompactEachRow lines. */
  insertRows(table: string, columns: readonly string[], body: Buffer): Promise<void>;
  /** Inserts rows in ClickHouse's Native format (src/store/native.ts), given as chunks to concatenate. */
  insertNative(table: string, columns: readonly string[], chunks: readonly Buffer[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const QUERY_SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 1 };

/**
 * Cluster mode: an INSERT into a Distributed table returns only once every shard has its rows (not when they
 * are queued on the receiving host), so a 200 still means committed; and a subquery on a Distributed table
 * inside a query on one (`trace_id IN (SELECT ... FROM operations)`) runs once, GLOBAL, giving the same
 * answer as on one server.
 */
export const CLUSTER_SETTINGS: ClickHouseSettings = { insert_distributed_sync: 1, distributed_product_mode: 'global' };

type StoreConfig = Pick<Config, 'clickhouseUrl' | 'clickhouseUser' | 'clickhousePassword' | 'clickhouseDatabase' | 'dataDir'> &
  Partial<Pick<Config, 'clickhouseCluster'>>;

export function openStore(config: StoreConfig): Store {
  const cluster = config.clickhouseCluster ? { cluster: config.clickhouseCluster, database: config.clickhouseDatabase } : undefined;
  const clusterSettings = cluster ? CLUSTER_SETTINGS : {};
  if (config.clickhouseUrl) {
    const client = createClient({
      url: config.clickhouseUrl,
      username: config.clickhouseUser,
      password: config.clickhousePassword,
      database: config.clickhouseDatabase,
      request_timeout: 30_000,
      clickhouse_settings: { async_insert: 0, wait_end_of_query: 1, ...clusterSettings },
    });
    return wrap('server', client, `ClickHouse server ${redact(config.clickhouseUrl)}/${config.clickhouseDatabase}`, undefined, cluster);
  }
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  const locked = (pid: number) =>
    new DataDirLockedError(`the data directory ${dir} is in use by another process (pid ${pid}; embedded ClickHouse allows one process per directory)`);
  // Asked first: chdb, refused the lock, prints "Cannot lock file ... Another server instance" to stderr,
  // which a command that then goes through the running service (src/cli/remote.ts) must not show.
  const holder = lockHolder(dir);
  if (holder !== undefined) throw locked(holder);
  let connection: ReturnType<typeof createChdbConnection>;
  try {
    connection = createChdbConnection({ path: dir });
  } catch (e) {
    const pid = lockHolder(dir);
    if (pid !== undefined) throw locked(pid);
    throw e;
  }
  const client = createClient({ connection, clickhouse_settings: clusterSettings } as Parameters<typeof createClient>[0]);
  // Measured: chdb's raw insert hands the body to the engine without copying it into the SQL text,
  // ~7x faster than client.exec with the same bytes. Same SQL, same format.
  const raw = (connection as unknown as { chdb: ChdbRaw }).chdb;
  return wrap('embedded', client, `embedded ClickHouse in ${dir}`, raw, cluster);
}

/**
 * The pid of a live process holding `dir`, if any. chdb reports a held lock only on stderr, so read the
 * status file ClickHouse writes into the directory (it starts with "PID: <pid>").
 */
function lockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'status'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(/PID:\s*(\d+)/.exec(text)?.[1]);
  if (!pid || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function wrap(mode: StoreMode, client: ClickHouseClient, description: string, raw: ChdbRaw | undefined, cluster: ClusterOptions | undefined): Store {
  const spool = new Spool();
  return {
    mode,
    client,
    description,
    cluster,
    async query<T>(sql: string, params?: Record<string, unknown>, settings?: ClickHouseSettings): Promise<T[]> {
      const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: { ...QUERY_SETTINGS, ...settings } });
      return rs.json<T>();
    },
    async command(sql: string, params?: Record<string, unknown>): Promise<void> {
      await client.command({ query: sql, query_params: params });
    },
    async insertRows(table: string, columns: readonly string[], body: Buffer): Promise<void> {
      if (body.length === 0) return;
      if (raw) {
        await raw.rawInsert({ table, columns: [...columns], format: 'JSONCompactEachRow', values: body });
        return;
      }
      const rs = await client.exec({
        query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT JSONCompactEachRow`,
        values: Readable.from([body], { objectMode: false }),
      });
      rs.stream.resume();
    },
    async insertNative(table: string, columns: readonly string[], chunks: readonly Buffer[]): Promise<void> {
      if (raw) {
        // Binary data cannot go inline in the embedded engine's query text: through a file (src/store/spool.ts).
        await spool.with(table, chunks, (path) =>
          raw.queryAsync(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM file(${sqlString(path)}, Native) SETTINGS ${INSERT_SETTINGS_SQL}`),
        );
        return;
      }
      const rs = await client.exec({
        query: `INSERT INTO ${table} (${columns.join(', ')}) FORMAT Native`,
        values: Readable.from(chunks, { objectMode: false }),
        clickhouse_settings: INSERT_SETTINGS,
      });
      rs.stream.resume();
    },
    async ping(): Promise<boolean> {
      const r = await client.ping();
      return r.success;
    },
    async close(): Promise<void> {
      await client.close();
      spool.close();
    },
  };
}
