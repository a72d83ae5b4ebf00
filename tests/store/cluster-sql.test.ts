// Cluster mode (TRACEMILL_CLICKHOUSE_CLUSTER): the SQL src/store/cluster.ts makes from every schema file, checked
// as text; then run for real on the embedded engine, set up as a one-shard cluster: the service ingests and
// answers through Distributed tables over the local tables, with the views on the local tables; and rows go
// through two shards with every sharding key. What the embedded engine cannot do is left to a real cluster:
// ON CLUSTER (no DDL worker) and Replicated engines (no Keeper), so those two are taken out of the SQL it runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Session } from 'chdb';
import t from 'tap';
import { ClusterSqlError, clusterStatementsOf } from '../../src/store/cluster.js';
import { loadMigrations, migrate, migrationPlan } from '../../src/store/migrate.js';
import { CLAUDE_CODE_FIXTURES } from '../helpers/fixtures.js';
import { post, startTestService } from '../helpers/service.js';
import { exportWith, makeSpans } from '../helpers/spans.js';

const OPTS = { cluster: 'tracemill', database: 'default' };
const ON = `ON CLUSTER 'tracemill'`;
const migrations = loadMigrations();
const plan = migrationPlan(migrations, OPTS);

/** Single-node CREATE TABLEs: name -> engine name, engine arguments, ORDER BY. */
function singleNodeTables(statements: string[]): Map<string, { engine: string; args: string; orderBy: string }> {
  const out = new Map<string, { engine: string; args: string; orderBy: string }>();
  for (const s of statements) {
    const m = /^CREATE TABLE IF NOT EXISTS (\w+)[\s\S]*\nENGINE = (\w+)(?:\(([^)]*)\))?[\s\S]*?\nORDER BY (.+)$/m.exec(s);
    if (m) out.set(m[1], { engine: m[2], args: m[3] ?? '', orderBy: m[4].replace(/^\((.*)\)$/, '$1') });
  }
  return out;
}

function distributedOf(statements: string[], table: string): string {
  const d = statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table} ${ON} AS ${table}_local`));
  if (!d) throw new Error(`no Distributed table for ${table}`);
  return d;
}

const shardingKey = (distributed: string): string => /Distributed\('tracemill', 'default', '\w+', (.*)\)$/.exec(distributed)![1];

// The engine, set up before any test: tap ends the file once its queued tests are done.
const dataDir = mkdtempSync(join(tmpdir(), 'tracemill-cluster-'));
const configFile = join(dataDir, '..', `${dataDir.split('/').at(-1)}.xml`);
// Both clusters' hosts are this process (the engine sees its own tcp_port): `tracemill` is one shard, and each
// of the two shards of `two_shards` is the same set of local tables, so rows sent through it are split by the
// sharding key and all land once.
writeFileSync(
  configFile,
  `<clickhouse>
  <tcp_port>9000</tcp_port>
  <remote_servers>
    <tracemill><shard><internal_replication>true</internal_replication><replica><host>localhost</host><port>9000</port></replica></shard></tracemill>
    <two_shards>
      <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>9000</port></replica></shard>
      <shard><internal_replication>true</internal_replication><replica><host>localhost</host><port>9000</port></replica></shard>
    </two_shards>
  </remote_servers>
</clickhouse>
`,
);
// The engine is started once per process, with the arguments of the first connection to the directory:
// this session's, which the service's store then shares.
const engine = new Session(dataDir, { connectionArgs: [`--config-file=${configFile}`] });

/** The cluster SQL as the embedded engine can run it: no ON CLUSTER (no DDL worker), no Replicated (no Keeper). */
const runnable = (sql: string): string => sql.replaceAll(` ${ON}`, '').replace(/Replicated(\w*MergeTree)\('[^']*', '\{replica\}'(?:, )?/g, '$1(');

for (const s of plan.bookkeeping) engine.query(runnable(s));
for (const m of plan.migrations) {
  for (const s of m.statements) engine.query(runnable(s));
  engine.query(`INSERT INTO tracemill_migrations (version, name) VALUES (${m.version}, '${m.name}')`);
}

const svc = await startTestService({ dataDir, clickhouseCluster: 'tracemill', settleMs: 60_000 });
t.teardown(async () => {
  await svc.stop();
  engine.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(configFile, { force: true });
});

t.test('every table of every schema file: a replicated local table and a Distributed table over it', async (t) => {
  t.ok(migrations.length >= 3, 'the schema files are found');
  for (const [i, m] of migrations.entries()) {
    const cluster = plan.migrations[i].statements;
    for (const [table, { engine, args }] of singleNodeTables(m.statements)) {
      const local = cluster.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}_local ${ON}\n`));
      t.ok(local, `${m.name}: ${table}_local is created ON CLUSTER`);
      const replicated = `ENGINE = Replicated${engine}('/clickhouse/tables/{shard}/{database}/${table}', '{replica}'${args ? `, ${args}` : ''})`;
      t.ok(local?.includes(replicated), `${m.name}: ${table}_local ${replicated}`);
      const original = m.statements.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS ${table}\n`))!;
      const columns = original.slice(original.indexOf('('), original.indexOf('\nENGINE'));
      t.ok(local?.includes(columns), `${m.name}: ${table}_local keeps every column, index and codec`);
      t.equal(local?.slice(local.indexOf('\nENGINE')).replace(/^\nENGINE = .*\n/, ''), original.slice(original.indexOf('\nENGINE')).replace(/^\nENGINE = .*\n/, ''), `${m.name}: ${table}_local keeps partitioning, order and settings`);
      const distributed = distributedOf(cluster, table);
      t.match(distributed, `ENGINE = Distributed('tracemill', 'default', '${table}_local', `, `${m.name}: ${table} is Distributed over ${table}_local`);
      t.ok(cluster.indexOf(local!) < cluster.indexOf(distributed), `${m.name}: ${table}_local comes first`);
    }
    for (const s of cluster) if (!s.startsWith('INSERT')) t.match(s, ON, `${m.name}: ON CLUSTER in ${s.slice(0, 60).replace(/\s+/g, ' ')}`);
  }
  t.ok(plan.migrations.map((m) => m.version).every((v, i) => v === migrations[i].version), 'same versions and order');
});

t.test('the ReplacingMergeTree arguments follow the replication arguments', async (t) => {
  const all = plan.migrations.flatMap((m) => m.statements);
  const operations = all.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS operations_local`));
  t.match(operations, `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/operations', '{replica}', version, is_deleted)\n`);
  const state = all.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS tracemill_state_local`));
  t.match(state, `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/tracemill_state', '{replica}', updated_at)\n`);
  const traceIndex = all.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS trace_index_local`));
  t.match(traceIndex, `ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/trace_index', '{replica}')\n`);
});

t.test('sharding: a trace stays on one shard; rows without a trace id spread by their sorting key', async (t) => {
  const all = plan.migrations.flatMap((m) => m.statements);
  for (const m of migrations) {
    for (const [table, { orderBy }] of singleNodeTables(m.statements)) {
      const key = shardingKey(distributedOf(all, table));
      if (orderBy.split(/,\s*/).includes('trace_id')) {
        t.equal(key, `if(trace_id = '', cityHash64(${orderBy}), cityHash64(trace_id))`, `${table}: by trace id`);
      } else {
        t.equal(key, `cityHash64(${orderBy})`, `${table}: by its whole sorting key`);
      }
    }
  }
  // The collapsing key decides: an exporter's retry or a rebuild's new version must meet the old row on its shard.
  t.equal(shardingKey(distributedOf(all, 'spans')), `if(trace_id = '', cityHash64(project_id, toDate(start_time), trace_id, span_id), cityHash64(trace_id))`);
  t.equal(shardingKey(distributedOf(all, 'metric_points')), 'cityHash64(project_id, toDate(time), metric_name, session_id, time, point_hash)');
  t.equal(shardingKey(distributedOf(all, 'tracemill_state')), 'cityHash64(name)');
  t.equal(shardingKey(distributedOf(plan.bookkeeping, 'tracemill_migrations')), 'cityHash64(version)');
  t.match(plan.bookkeeping[0], `CREATE TABLE IF NOT EXISTS tracemill_migrations_local ${ON}\n`);
  t.match(plan.bookkeeping[0], `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/tracemill_migrations', '{replica}')\n`);
});

t.test('materialized views fire on the local tables and write to local tables', async (t) => {
  let views = 0;
  for (const [i, m] of migrations.entries()) {
    for (const s of m.statements) {
      const v = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS[\s\S]*?\bFROM (\w+)/.exec(s);
      if (!v) continue;
      views++;
      const [, name, target, source] = v;
      const out = plan.migrations[i].statements.find((c) => c.startsWith(`CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} `));
      t.match(out, `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} ${ON} TO ${target}_local AS`, `${name} writes to ${target}_local`);
      t.match(out, new RegExp(`\\bFROM ${source}_local\\b`), `${name} fires on ${source}_local`);
      t.notMatch(out, new RegExp(`\\b(FROM|TO) (${source}|${target})\\b(?!_local)`), `${name} names no Distributed table`);
    }
  }
  t.ok(views >= 1, 'the schema has views');
});

t.test('ALTERs go to the local tables; column changes to the Distributed tables too', async (t) => {
  let alters = 0;
  for (const [i, m] of migrations.entries()) {
    const cluster = plan.migrations[i].statements;
    for (const s of m.statements) {
      const a = /^ALTER TABLE (\w+) ([\s\S]*)$/.exec(s);
      if (!a) continue;
      alters++;
      const [, table, commands] = a;
      t.ok(cluster.includes(`ALTER TABLE ${table}_local ${ON} ${commands}`), `${table}_local: ${commands.slice(0, 50)}`);
      const onDistributed = cluster.includes(`ALTER TABLE ${table} ${ON}\n    ${commands}`);
      t.equal(onDistributed, /^(ADD|DROP|MODIFY|RENAME|COMMENT) COLUMN/.test(commands), `${table}: ${commands.slice(0, 50)}`);
    }
  }
  t.ok(alters >= 1, 'the schema has ALTERs');
});

t.test('the translator on every kind of statement, and what it refuses', async (t) => {
  const out = clusterStatementsOf(
    [
      `CREATE TABLE IF NOT EXISTS events\n(\n    trace_id String,\n    at DateTime64(9) CODEC(Delta(8), ZSTD(1)),\n    n UInt64 MATERIALIZED 1,\n    v UInt64,\n    d UInt8\n)\nENGINE = ReplacingMergeTree(v, d)\nPARTITION BY toDate(at)\nORDER BY (trace_id, at)\nTTL toDateTime(at) + INTERVAL 1 DAY\nSETTINGS index_granularity = 8192`,
      `CREATE TABLE inbox (x String) ENGINE = Null`,
      `CREATE TABLE IF NOT EXISTS counts (k String, c UInt64) ENGINE = SummingMergeTree((c)) ORDER BY k`,
      `CREATE MATERIALIZED VIEW counts_mv TO counts AS SELECT x AS k, count() AS c FROM (SELECT x FROM inbox) GROUP BY k`,
      `CREATE VIEW IF NOT EXISTS recent AS SELECT * FROM events WHERE at > now() - 60`,
      `ALTER TABLE events ADD COLUMN IF NOT EXISTS s String DEFAULT 'a, (b)' AFTER trace_id, ADD INDEX idx_s s TYPE set(10) GRANULARITY 1, MODIFY COLUMN v UInt64 CODEC(ZSTD(3))`,
      `ALTER TABLE events DELETE WHERE d = 1`,
      `INSERT INTO counts SELECT 'x', 1`,
      `OPTIMIZE TABLE events FINAL`,
      `TRUNCATE TABLE counts`,
      `DROP TABLE IF EXISTS counts_mv`,
      `DROP TABLE IF EXISTS counts SYNC`,
    ],
    { cluster: '{cluster}', database: 'db1' },
  );
  const C = `ON CLUSTER '{cluster}'`;
  t.same(out.slice(0, 2), [
    `CREATE TABLE IF NOT EXISTS events_local ${C}\n(\n    trace_id String,\n    at DateTime64(9) CODEC(Delta(8), ZSTD(1)),\n    n UInt64 MATERIALIZED 1,\n    v UInt64,\n    d UInt8\n)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/events', '{replica}', v, d)\nPARTITION BY toDate(at)\nORDER BY (trace_id, at)\nTTL toDateTime(at) + INTERVAL 1 DAY\nSETTINGS index_granularity = 8192`,
    `CREATE TABLE IF NOT EXISTS events ${C} AS events_local\nENGINE = Distributed('{cluster}', 'db1', 'events_local', if(trace_id = '', cityHash64(trace_id, at), cityHash64(trace_id)))`,
  ]);
  t.same(out.slice(2, 4), [`CREATE TABLE inbox_local ${C} (x String) ENGINE = Null`, `CREATE TABLE inbox ${C} AS inbox_local\nENGINE = Distributed('{cluster}', 'db1', 'inbox_local', rand())`]);
  t.equal(out[4], `CREATE TABLE IF NOT EXISTS counts_local ${C} (k String, c UInt64) ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/counts', '{replica}', (c)) ORDER BY k`);
  t.equal(out[5], `CREATE TABLE IF NOT EXISTS counts ${C} AS counts_local\nENGINE = Distributed('{cluster}', 'db1', 'counts_local', cityHash64(k))`);
  t.equal(out[6], `CREATE MATERIALIZED VIEW counts_mv ${C} TO counts_local AS SELECT x AS k, count() AS c FROM (SELECT x FROM inbox_local) GROUP BY k`);
  t.equal(out[7], `CREATE VIEW IF NOT EXISTS recent ${C} AS SELECT * FROM events WHERE at > now() - 60`, 'a plain view reads the Distributed tables');
  t.equal(
    out[8],
    `ALTER TABLE events_local ${C} ADD COLUMN IF NOT EXISTS s String DEFAULT 'a, (b)' AFTER trace_id, ADD INDEX idx_s s TYPE set(10) GRANULARITY 1, MODIFY COLUMN v UInt64 CODEC(ZSTD(3))`,
  );
  t.equal(out[9], `ALTER TABLE events ${C}\n    ADD COLUMN IF NOT EXISTS s String DEFAULT 'a, (b)' AFTER trace_id,\n    MODIFY COLUMN v UInt64 CODEC(ZSTD(3))`, 'no index on a Distributed table');
  t.equal(out[10], `ALTER TABLE events_local ${C} DELETE WHERE d = 1`);
  t.equal(out[11], `INSERT INTO counts SELECT 'x', 1`, 'an INSERT runs once, through the Distributed table');
  t.equal(out[12], `OPTIMIZE TABLE events_local ${C} FINAL`);
  t.equal(out[13], `TRUNCATE TABLE counts_local ${C}`);
  t.equal(out[14], `DROP TABLE IF EXISTS counts_mv ${C}`, 'a view is one object');
  t.same(out.slice(15), [`DROP TABLE IF EXISTS counts ${C} SYNC`, `DROP TABLE IF EXISTS counts_local ${C} SYNC`]);
  t.equal(out.length, 17);

  const refuses = (sql: string[], message: RegExp) => t.throws(() => clusterStatementsOf(sql, OPTS), { name: ClusterSqlError.name, message }, sql[sql.length - 1]);
  refuses(['CREATE TABLE a ON CLUSTER c (x UInt8) ENGINE = MergeTree ORDER BY x'], /must not say ON CLUSTER/);
  refuses(['CREATE TABLE a (x UInt8) ENGINE = Memory'], /no replicated form of ENGINE = Memory/);
  refuses(['CREATE TABLE a (x UInt8) ENGINE = ReplicatedMergeTree ORDER BY x'], /no replicated form/);
  refuses(['CREATE TABLE db.a (x UInt8) ENGINE = MergeTree ORDER BY x'], /qualified table names/);
  refuses(['CREATE TABLE a AS b'], /column list/);
  refuses(['CREATE MATERIALIZED VIEW v TO nowhere AS SELECT 1 FROM spans'], /writes to nowhere/);
  refuses(['CREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x', 'CREATE MATERIALIZED VIEW v TO a AS SELECT x FROM elsewhere'], /reads elsewhere/);
  refuses(['CREATE TABLE a (x UInt8) ENGINE = MergeTree ORDER BY x', 'CREATE MATERIALIZED VIEW v ENGINE = MergeTree ORDER BY x AS SELECT x FROM a'], /must write TO a table/);
  refuses(['RENAME TABLE a TO b'], /no cluster translation/);
  refuses(['SELECT 1 FROM x WHERE s = \'unterminated'], /unterminated/);
  t.throws(() => clusterStatementsOf([], { cluster: "x' OR 1", database: 'default' }), { name: ClusterSqlError.name });
  t.throws(() => clusterStatementsOf([], { cluster: 'x', database: 'a-b' }), { name: ClusterSqlError.name });
});

t.test('the engine sees a one-shard cluster of itself, and the tables as made', async (t) => {
  t.same(await svc.rows(`SELECT cluster, shard_num, is_local FROM system.clusters WHERE cluster = 'tracemill'`), [{ cluster: 'tracemill', shard_num: 1, is_local: 1 }]);
  const engines = new Map((await svc.rows<{ name: string; engine: string }>('SELECT name, engine FROM system.tables WHERE database = currentDatabase()')).map((r) => [r.name, r.engine]));
  for (const table of ['spans', 'logs', 'metric_points', 'trace_index', 'operations', 'tracemill_state', 'tracemill_migrations']) {
    t.equal(engines.get(table), 'Distributed', table);
    t.match(engines.get(`${table}_local`), /MergeTree$/, `${table}_local`);
  }
  t.equal(engines.get('trace_index_mv'), 'MaterializedView');
  const [settings] = await svc.rows<{ mode: string; sync: string }>(`SELECT getSetting('distributed_product_mode') AS mode, toString(getSetting('insert_distributed_sync')) AS sync`);
  t.same(settings, { mode: 'global', sync: 'true' }, 'the cluster settings reach the engine');
  t.equal((await fetch(`${svc.httpUrl}/readyz`)).status, 200, 'ready: every migration recorded');
  t.same(svc.migrations.applied, [], 'nothing left to apply');
});

const RANGE = 'from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z';
async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${svc.httpUrl}${path}`);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

t.test('ingest, normalization and the query API through the Distributed tables', async (t) => {
  for (const dir of ['tools', 'subagent', 'compaction']) {
    for (const signal of ['traces', 'logs', 'metrics']) {
      const res = await post(`${svc.httpUrl}/v1/${signal}`, readFileSync(join(CLAUDE_CODE_FIXTURES, dir, `${signal}.json`)), { 'content-type': 'application/json' });
      t.equal(res.status, 200, `${dir}/${signal}`);
    }
  }
  const exporter = new OTLPTraceExporter({ url: `${svc.httpUrl}/v1/traces` });
  const spans = makeSpans('sdk-agent', { count: 5 });
  await exportWith(exporter, spans);
  await exportWith(exporter, spans); // an exporter's retry: collapses on its shard
  await exporter.shutdown();
  await svc.normalizer.flush();

  for (const table of ['spans', 'logs', 'metric_points', 'operations']) {
    const [d] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${table} FINAL`);
    const [l] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${table}_local FINAL`);
    t.ok(Number(d.n) > 0, `${table} has rows`);
    t.equal(d.n, l.n, `${table}: every row is in ${table}_local`);
  }
  const [sdk] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM spans FINAL WHERE service_name = 'sdk-agent'`);
  t.equal(Number(sdk.n), spans.length, 'the re-sent spans collapsed');
  const [index] = await svc.rows<{ traces: string; indexed: string }>(
    `SELECT (SELECT uniqExact(trace_id) FROM spans_local) AS traces, (SELECT uniqExact(trace_id) FROM trace_index_local) AS indexed`,
  );
  t.equal(index.indexed, index.traces, 'the view fired on spans_local and wrote trace_index_local');

  const stats = await get<{ rows: { mode: string; failures: number; runs: number }[] }>(`/api/v1/failures/stats?${RANGE}&group_by=mode`);
  const by = new Map(stats.rows.map((r) => [r.mode, r]));
  t.equal(by.get('tool_error')?.failures, 7, 'the same seven tool errors as on one node (tests/api/query.test.ts)');
  t.equal(by.get('tool_error')?.runs, 7);
  const tools = await get<{ tools: { tool: string; calls: number; errors: number }[] }>(`/api/v1/tools/stats?${RANGE}`);
  const readFile = tools.tools.find((r) => r.tool === 'read_file');
  t.same([readFile?.calls, readFile?.errors], [5, 5]);

  // trace_id IN (SELECT ... FROM operations): a subquery on a Distributed table inside a query on one.
  const list = await get<{ traces: { trace_id: string; service: string; errors: number }[] }>(`/api/v1/traces?${RANGE}&service=sdk-agent`);
  t.equal(list.traces.length, 5, 'the five SDK runs');
  type Raw = { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  const tree = await get<{ trace_id: string; raw?: Raw }>(`/api/v1/traces/${list.traces[0].trace_id}?raw=1`);
  t.equal(tree.trace_id, list.traces[0].trace_id, 'a trace through trace_index and operations');
  const stored = tree.raw?.resourceSpans.flatMap((r) => r.scopeSpans).flatMap((s) => s.spans);
  t.equal(stored?.length, 3, 'with its three stored spans');
});

t.test('rows split over two shards by every sharding key', async (t) => {
  for (const m of plan.migrations) {
    for (const s of m.statements) {
      const d = /^CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER 'tracemill' AS (\w+)\nENGINE = Distributed\('tracemill', 'default', '\w+', (.*)\)$/.exec(s);
      if (!d) continue;
      const [, table, local, key] = d;
      // Into a plain MergeTree copy of the local table, so no merge collapses what was sent.
      await svc.store.command(`CREATE TABLE ${table}_sink AS ${local} ENGINE = MergeTree ORDER BY tuple()`);
      await svc.store.command(`CREATE TABLE ${table}_two AS ${local} ENGINE = Distributed('two_shards', 'default', '${table}_sink', ${key})`);
      await svc.store.command(`INSERT INTO ${table}_two SELECT * FROM ${local} LIMIT 50`);
      const [sent] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM (SELECT * FROM ${local} LIMIT 50)`);
      const [stored] = await svc.rows<{ n: string; shards: string }>(`SELECT count() AS n, uniqExact((${key}) % 2) AS shards FROM ${table}_sink`);
      t.equal(stored.n, sent.n, `${table}: ${sent.n} rows through two shards, each stored once`);
      if (Number(sent.n) > 10) t.equal(stored.shards, '2', `${table}: the key spreads rows over both shards`);
    }
  }
});

t.test('cluster DDL on the embedded engine is refused by name', async (t) => {
  await t.rejects(migrate(svc.store, { retentionDays: 30 }), /TRACEMILL_CLICKHOUSE_CLUSTER needs a ClickHouse server/);
});
