// Cluster mode (TRACEMILL_CLICKHOUSE_CLUSTER): turns the single-node migration SQL of schemas/clickhouse/ into
// SQL for a sharded, replicated ClickHouse cluster. Pure: text in, text out, no I/O.
//
// Every table `t` becomes two, both created ON CLUSTER:
//   t_local  the data, ENGINE = Replicated<engine>('/clickhouse/tables/{shard}/{database}/t', '{replica}', <engine args>)
//   t        ENGINE = Distributed(cluster, database, t_local, <sharding key>): what the service reads and writes
// The sharding key is a function of the sorting key, so rows that a Replacing/AggregatingMergeTree must collapse
// (an exporter's retry, a rebuild's new version of an operation) always land on the same shard. A table whose
// sorting key has trace_id is sharded by cityHash64(trace_id): a trace stays on one shard, with its trace_index
// row. Rows without a trace id (log events of agents that send none) are spread by the whole sorting key.
//
// A materialized view fires on the table its SELECT reads, on the host that receives the insert. The service
// inserts into the Distributed table, which forwards each row to a local table on one shard, so a view must read
// the local table (or it would fire on whichever host took the request, before sharding) and write to the local
// table of its target (so its rows stay on the shard of the rows they summarize).
//
// ALTERs go to the local tables ON CLUSTER; column changes go to the Distributed table too, which has its own
// column list. INSERTs are left alone: they run once, through the Distributed tables.

export const LOCAL_SUFFIX = '_local';

export interface ClusterOptions {
  /** Cluster name from the server's remote_servers (or a macro such as `{cluster}`). */
  cluster: string;
  /** Database holding the tables (CLICKHOUSE_DATABASE). */
  database: string;
}

export class ClusterSqlError extends Error {
  override name = 'ClusterSqlError';
}

/** The ZooKeeper/Keeper path of a replicated table. `{shard}`, `{database}` and `{replica}` are server macros. */
export function replicaPath(table: string): string {
  return `/clickhouse/tables/{shard}/{database}/${table}`;
}

const NAME = /^[A-Za-z0-9_.{}-]+$/;

/** What the translator has learnt from earlier statements. */
interface Known {
  tables: Map<string, { shardingKey: string }>;
  views: Set<string>;
}

/**
 * Translates migrations, in order (a later ALTER or view needs the tables created before it). Returns, for each
 * input migration, its cluster statements.
 */
export function clusterStatements(migrations: readonly (readonly string[])[], opts: ClusterOptions): string[][] {
  if (!NAME.test(opts.cluster)) throw new ClusterSqlError(`cluster name "${opts.cluster}" may hold only letters, digits, _ . - { }`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.database)) throw new ClusterSqlError(`database name "${opts.database}" is not an identifier`);
  const known: Known = { tables: new Map(), views: new Set() };
  return migrations.map((statements) => statements.flatMap((sql) => translate(sql, opts, known)));
}

/** Translates one migration's statements on their own (for statements that need no earlier context). */
export function clusterStatementsOf(statements: readonly string[], opts: ClusterOptions): string[] {
  return clusterStatements([statements], opts)[0];
}

// ---------------------------------------------------------------------------------------------------------------
// A small SQL lexer: enough to find clauses at the top level, skip strings, quoted names and comments, and splice
// the original text (so the output keeps the source's layout, codecs, comments on columns and all).

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  text: string;
  start: number;
  end: number;
  /** Parenthesis depth before the token. */
  depth: number;
}

function lex(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let depth = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? sql.length : e + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      if (j >= sql.length) throw new ClusterSqlError(`unterminated ${c} at offset ${i}`);
      out.push({ kind: c === "'" ? 'string' : 'quoted', text: sql.slice(i, j + 1), start: i, end: j + 1, depth });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j), start: i, end: j, depth });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      out.push({ kind: 'number', text: sql.slice(i, j), start: i, end: j, depth });
      i = j;
    } else {
      if (c === ')') depth--;
      out.push({ kind: 'punct', text: c, start: i, end: i + 1, depth });
      if (c === '(') depth++;
      i++;
    }
  }
  if (depth !== 0) throw new ClusterSqlError('unbalanced parentheses');
  return out;
}

const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'word' && words.includes(t.text.toUpperCase());
const isPunct = (t: Token | undefined, p: string): boolean => t !== undefined && t.kind === 'punct' && t.text === p;

/** Index of the `)` matching the `(` at index `open`. */
function closing(tokens: Token[], open: number): number {
  const d = tokens[open].depth;
  for (let i = open + 1; i < tokens.length; i++) if (isPunct(tokens[i], ')') && tokens[i].depth === d) return i;
  throw new ClusterSqlError('unbalanced parentheses');
}

/** Index of the first top-level (depth `d`) token from `from` that is one of `words` followed by `next` (if given). */
function findClause(tokens: Token[], from: number, d: number, words: string[], next?: string): number {
  for (let i = from; i < tokens.length; i++) {
    if (tokens[i].depth !== d || !isWord(tokens[i], ...words)) continue;
    if (next === undefined || isWord(tokens[i + 1], next)) return i;
  }
  return -1;
}

/** Splits tokens [from, to) at commas of depth `d` into [start, end) token ranges. */
function splitCommas(tokens: Token[], from: number, to: number, d: number): [number, number][] {
  const parts: [number, number][] = [];
  let s = from;
  for (let i = from; i < to; i++) {
    if (isPunct(tokens[i], ',') && tokens[i].depth === d) {
      parts.push([s, i]);
      s = i + 1;
    }
  }
  if (s < to) parts.push([s, to]);
  return parts;
}

/** Unquotes a table name token; qualified names (db.t) are refused: the database comes from the connection. */
function tableName(tokens: Token[], i: number, sql: string): string {
  const t = tokens[i];
  if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) throw new ClusterSqlError(`expected a table name in: ${head(sql)}`);
  if (isPunct(tokens[i + 1], '.')) throw new ClusterSqlError(`qualified table names are not supported in cluster mode: ${head(sql)}`);
  return t.kind === 'quoted' ? t.text.slice(1, -1) : t.text;
}

const head = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 120);

// ---------------------------------------------------------------------------------------------------------------

function translate(sql: string, opts: ClusterOptions, known: Known): string[] {
  const tokens = lex(sql);
  const onCluster = `ON CLUSTER '${opts.cluster}'`;
  if (tokens.some((t, i) => isWord(t, 'ON') && isWord(tokens[i + 1], 'CLUSTER'))) {
    throw new ClusterSqlError(`the single-node SQL must not say ON CLUSTER: ${head(sql)}`);
  }
  const [a, b, c] = tokens;
  if (isWord(a, 'CREATE') && isWord(b, 'TABLE')) return createTable(sql, tokens, opts, known);
  if (isWord(a, 'CREATE') && isWord(b, 'MATERIALIZED') && isWord(c, 'VIEW')) return [materializedView(sql, tokens, onCluster, known)];
  if (isWord(a, 'CREATE') && isWord(b, 'VIEW')) {
    const at = nameIndex(tokens, 2);
    known.views.add(tableName(tokens, at, sql));
    return [splice(sql, [[tokens[at].end, tokens[at].end, ` ${onCluster}`]])];
  }
  if (isWord(a, 'ALTER') && isWord(b, 'TABLE')) return alterTable(sql, tokens, onCluster, known);
  if (isWord(a, 'DROP') && isWord(b, 'TABLE', 'VIEW')) return drop(sql, tokens, onCluster, known);
  if ((isWord(a, 'OPTIMIZE') || isWord(a, 'TRUNCATE')) && isWord(b, 'TABLE')) {
    const at = nameIndex(tokens, 2);
    const name = tableName(tokens, at, sql);
    return [splice(sql, [[tokens[at].start, tokens[at].end, `${name}${LOCAL_SUFFIX} ${onCluster}`]])];
  }
  if (isWord(a, 'INSERT')) return [sql];
  throw new ClusterSqlError(`no cluster translation for this statement (add one to src/store/cluster.ts): ${head(sql)}`);
}

/** Index of the name after `IF [NOT] EXISTS`, from token `i`. */
function nameIndex(tokens: Token[], i: number): number {
  if (isWord(tokens[i], 'IF')) return isWord(tokens[i + 1], 'NOT') ? i + 3 : i + 2;
  return i;
}

type Edit = [start: number, end: number, text: string];

function splice(sql: string, edits: Edit[]): string {
  let out = sql;
  for (const [s, e, text] of [...edits].sort((x, y) => y[0] - x[0])) out = out.slice(0, s) + text + out.slice(e);
  return out;
}

const MERGE_TREE = /^(Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing|Graphite|Coalescing)?MergeTree$/;

function createTable(sql: string, tokens: Token[], opts: ClusterOptions, known: Known): string[] {
  const onCluster = `ON CLUSTER '${opts.cluster}'`;
  const at = nameIndex(tokens, 2);
  const name = tableName(tokens, at, sql);
  if (!isPunct(tokens[at + 1], '(')) throw new ClusterSqlError(`CREATE TABLE needs a column list in cluster mode: ${head(sql)}`);
  const columnsEnd = closing(tokens, at + 1);
  const e = findClause(tokens, columnsEnd + 1, 0, ['ENGINE']);
  if (e < 0) throw new ClusterSqlError(`CREATE TABLE needs an ENGINE in cluster mode: ${head(sql)}`);
  const engineAt = isPunct(tokens[e + 1], '=') ? e + 2 : e + 1;
  const engine = tokens[engineAt];
  const argsEnd = isPunct(tokens[engineAt + 1], '(') ? closing(tokens, engineAt + 1) : -1;
  const args = argsEnd < 0 ? '' : sql.slice(tokens[engineAt + 1].end, tokens[argsEnd].start).trim();

  let engineText: string;
  if (MERGE_TREE.test(engine.text)) {
    const replicated = [`'${replicaPath(name)}'`, `'{replica}'`, ...(args ? [args] : [])].join(', ');
    engineText = `Replicated${engine.text}(${replicated})`;
  } else if (engine.text === 'Null') {
    engineText = 'Null';
  } else {
    throw new ClusterSqlError(`no replicated form of ENGINE = ${engine.text} (table ${name}); use a MergeTree engine`);
  }

  const shardingKey = shardingKeyOf(tokens, sql, argsEnd < 0 ? engineAt + 1 : argsEnd + 1);
  known.tables.set(name, { shardingKey });
  const local = splice(sql, [
    [tokens[at].start, tokens[at].end, `${name}${LOCAL_SUFFIX} ${onCluster}`],
    [engine.start, argsEnd < 0 ? engine.end : tokens[argsEnd].end, engineText],
  ]);
  const ifNotExists = at > 2 ? 'IF NOT EXISTS ' : '';
  const distributed =
    `CREATE TABLE ${ifNotExists}${name} ${onCluster} AS ${name}${LOCAL_SUFFIX}\n` +
    `ENGINE = Distributed('${opts.cluster}', '${opts.database}', '${name}${LOCAL_SUFFIX}', ${shardingKey})`;
  return [local, distributed];
}

/** cityHash64(trace_id) when the sorting key has trace_id, else a hash of the sorting key (rand() without one). */
function shardingKeyOf(tokens: Token[], sql: string, from: number): string {
  const o = findClause(tokens, from, 0, ['ORDER'], 'BY');
  if (o < 0) return 'rand()';
  const end = tokens.findIndex((t, i) => i > o + 1 && t.depth === 0 && (isWord(t, 'PARTITION', 'PRIMARY', 'SAMPLE', 'TTL', 'SETTINGS', 'COMMENT') || isPunct(t, ';')));
  const to = end < 0 ? tokens.length : end;
  let first = o + 2;
  let last = to;
  let d = 0;
  if (isPunct(tokens[first], '(') && closing(tokens, first) === to - 1) {
    d = 1;
    last = to - 1;
    first++;
  }
  const parts = splitCommas(tokens, first, last, d).map(([s, e]) => sql.slice(tokens[s].start, tokens[e - 1].end).trim());
  if (parts.length === 0 || (parts.length === 1 && /^tuple\(\s*\)$/.test(parts[0]))) return 'rand()';
  if (parts.includes('trace_id')) return `if(trace_id = '', cityHash64(${parts.join(', ')}), cityHash64(trace_id))`;
  return `cityHash64(${parts.join(', ')})`;
}

function materializedView(sql: string, tokens: Token[], onCluster: string, known: Known): string {
  const at = nameIndex(tokens, 3);
  const name = tableName(tokens, at, sql);
  if (!isWord(tokens[at + 1], 'TO')) throw new ClusterSqlError(`materialized view ${name} must write TO a table in cluster mode`);
  if (tokens.some((t) => isWord(t, 'POPULATE'))) throw new ClusterSqlError(`materialized view ${name}: POPULATE is not supported in cluster mode`);
  const target = tableName(tokens, at + 2, sql);
  if (!known.tables.has(target)) throw new ClusterSqlError(`materialized view ${name} writes to ${target}, which no earlier migration creates`);
  // The table it fires on: the first FROM naming a table (a FROM (subquery) is looked into).
  const from = tokens.findIndex((t, i) => i > at + 2 && isWord(t, 'FROM') && (tokens[i + 1]?.kind === 'word' || tokens[i + 1]?.kind === 'quoted'));
  if (from < 0) throw new ClusterSqlError(`materialized view ${name}: no FROM <table> found`);
  const source = tableName(tokens, from + 1, sql);
  if (!known.tables.has(source)) throw new ClusterSqlError(`materialized view ${name} reads ${source}, which no earlier migration creates`);
  known.views.add(name);
  return splice(sql, [
    [tokens[at].end, tokens[at].end, ` ${onCluster}`],
    [tokens[at + 2].start, tokens[at + 2].end, `${target}${LOCAL_SUFFIX}`],
    [tokens[from + 1].start, tokens[from + 1].end, `${source}${LOCAL_SUFFIX}`],
  ]);
}

/** ALTER commands that change the column list, which a Distributed table has too. */
const COLUMN_COMMAND = /^(ADD|DROP|MODIFY|RENAME|COMMENT)\s+COLUMN\b/i;

function alterTable(sql: string, tokens: Token[], onCluster: string, known: Known): string[] {
  const name = tableName(tokens, 2, sql);
  if (known.views.has(name)) throw new ClusterSqlError(`ALTER of view ${name} is not supported in cluster mode; drop and create it`);
  const commands = splitCommas(tokens, 3, tokens.length, 0).map(([s, e]) => sql.slice(tokens[s].start, tokens[e - 1].end).trim());
  const local = splice(sql, [[tokens[2].start, tokens[2].end, `${name}${LOCAL_SUFFIX} ${onCluster}`]]);
  const columns = commands.filter((c) => COLUMN_COMMAND.test(c));
  if (!columns.length) return [local];
  return [local, `ALTER TABLE ${name} ${onCluster}\n    ${columns.join(',\n    ')}`];
}

function drop(sql: string, tokens: Token[], onCluster: string, known: Known): string[] {
  const at = nameIndex(tokens, 2);
  const name = tableName(tokens, at, sql);
  const tail = sql.slice(tokens[at].end);
  const prefix = sql.slice(0, tokens[at].start);
  if (isWord(tokens[1], 'VIEW') || known.views.has(name)) {
    known.views.delete(name);
    return [`${prefix}${name} ${onCluster}${tail}`];
  }
  known.tables.delete(name);
  // The Distributed table first: nothing reads a local table that is gone.
  return [`${prefix}${name} ${onCluster}${tail}`, `${prefix}${name}${LOCAL_SUFFIX} ${onCluster}${tail}`];
}
