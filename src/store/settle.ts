// The settle loop's SQL (src/settle/settler.ts): which groups have data, their stored records, their previous
// operations and tails, the watermark. Every read of raw records uses FINAL (an exporter's retry collapses
// into the row it repeats) and is bounded by the project and the trace or session ids asked for.
import { toClickHouseTime } from '../time.js';
import type { Store } from './clickhouse.js';
import { RAW_LOG_SELECT, RAW_SPAN_SELECT, type RawLogRow } from './read/records.js';
import type { RawSpanRow } from './read/spans.js';
import { OPERATION_COLUMNS } from './rows/operations.js';

/** A group key in SQL: the conversation when a record names one, else its trace (src/settle/groups.ts). */
const GROUP_KEY_SQL = `if(session_id != '', concat('s:', session_id), concat('t:', trace_id))`;

export type SessionSpanRow = RawSpanRow & { session_id: string };
export type SessionLogRow = RawLogRow & { session_id: string };

export async function readState(store: Store, name: string): Promise<string> {
  const rows = await store.query<{ value: string }>(`SELECT argMax(value, updated_at) AS value FROM tracemill_state WHERE name = {n:String}`, { n: name });
  return rows.length ? rows[0].value : '';
}

export async function writeState(store: Store, name: string, value: string): Promise<void> {
  await store.command(`INSERT INTO tracemill_state (name, value) VALUES ({n:String}, {v:String})`, { n: name, v: value });
}

/** Every group with records in [since, until), optionally of one project (renormalize). */
export function groupsInRange(store: Store, range: { since: Date; until: Date; project?: string }): Promise<{ project_id: string; k: string }[]> {
  return store.query(
    `SELECT DISTINCT project_id, ${GROUP_KEY_SQL} AS k FROM spans
       WHERE start_time >= {since:DateTime64(3)} AND start_time < {until:DateTime64(3)} AND ({project:String} = '' OR project_id = {project:String})
     UNION DISTINCT
     SELECT DISTINCT project_id, ${GROUP_KEY_SQL} AS k FROM logs
       WHERE timestamp >= {since:DateTime64(3)} AND timestamp < {until:DateTime64(3)} AND ({project:String} = '' OR project_id = {project:String})
         AND (session_id != '' OR trace_id != '')`,
    { since: toClickHouseTime(range.since), until: toClickHouseTime(range.until), project: range.project ?? '' },
  );
}

/**
 * One page of the groups with data ingested since `since`, in the order (first ingest time, project, group)
 * after `cursor`: what a catch-up reads back from the store.
 */
export function groupsIngestedSince(
  store: Store,
  since: Date,
  cursor: { first: string; project: string; key: string },
  page: number,
): Promise<{ project_id: string; k: string; first: string }[]> {
  return store.query(
    `SELECT project_id, k, toString(min(t)) AS first FROM (
       SELECT project_id, ${GROUP_KEY_SQL} AS k, ingested_at AS t FROM spans WHERE ingested_at >= {since:DateTime64(3)}
       UNION ALL
       SELECT project_id, ${GROUP_KEY_SQL} AS k, ingested_at AS t FROM logs
        WHERE ingested_at >= {since:DateTime64(3)} AND (session_id != '' OR trace_id != ''))
     GROUP BY project_id, k
     HAVING (min(t), project_id, k) > ({cf:DateTime64(3)}, {cp:String}, {ck:String})
     ORDER BY min(t), project_id, k LIMIT {page:UInt32}`,
    { since: toClickHouseTime(since), cf: cursor.first, cp: cursor.project, ck: cursor.key, page },
  );
}

/** The conversation each trace's records name (the smallest id when several do); traces naming none are left out. */
export function sessionsOfTraces(store: Store, project: string, traces: readonly string[]): Promise<{ t: string; s: string }[]> {
  return store.query(
    `SELECT trace_id AS t, min(session_id) AS s FROM (
       SELECT trace_id, session_id FROM spans WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} AND session_id != ''
       UNION ALL
       SELECT trace_id, session_id FROM logs WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)} AND session_id != '')
     GROUP BY trace_id`,
    { project, traces },
  );
}

/** The traces of each conversation, with the time (ms) of their first record. */
export async function tracesOfSessions(store: Store, project: string, sessions: readonly string[]): Promise<{ s: string; t: string; start: number }[]> {
  const rows = await store.query<{ s: string; t: string; start: string }>(
    `SELECT s, t, toString(min(start)) AS start FROM (
       SELECT session_id AS s, trace_id AS t, toUnixTimestamp64Milli(start_time) AS start FROM spans WHERE project_id = {project:String} AND session_id IN {sessions:Array(String)}
       UNION ALL
       SELECT session_id AS s, trace_id AS t, toUnixTimestamp64Milli(timestamp) AS start FROM logs WHERE project_id = {project:String} AND session_id IN {sessions:Array(String)} AND trace_id != '')
     GROUP BY s, t`,
    { project, sessions },
  );
  return rows.map((r) => ({ s: r.s, t: r.t, start: Number(r.start) }));
}

export function readSpansOfTraces(store: Store, project: string, traces: readonly string[]): Promise<SessionSpanRow[]> {
  if (!traces.length) return Promise.resolve([]);
  return store.query(`SELECT ${RAW_SPAN_SELECT}, session_id FROM spans FINAL WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)}`, { project, traces });
}

/** Log records of these conversations, and those of these traces. */
export function readLogsOf(store: Store, project: string, sessions: readonly string[], traces: readonly string[]): Promise<SessionLogRow[]> {
  return store.query(
    `SELECT ${RAW_LOG_SELECT}, session_id FROM logs FINAL WHERE project_id = {project:String}
       AND (session_id IN {sessions:Array(String)} OR (trace_id != '' AND trace_id IN {traces:Array(String)}))`,
    { project, sessions, traces },
  );
}

export function readLogsOfTraces(store: Store, project: string, traces: readonly string[]): Promise<SessionLogRow[]> {
  if (!traces.length) return Promise.resolve([]);
  return store.query(`SELECT ${RAW_LOG_SELECT}, session_id FROM logs FINAL WHERE project_id = {project:String} AND trace_id IN {traces:Array(String)}`, { project, traces });
}

/** A conversation's log records without a trace id in [from, to] (its primary key: session, then time). */
export function readUntracedLogs(store: Store, project: string, session: string, from: Date, to: Date): Promise<SessionLogRow[]> {
  return store.query(
    `SELECT ${RAW_LOG_SELECT}, session_id FROM logs FINAL WHERE project_id = {project:String} AND session_id = {session:String} AND trace_id = ''
       AND timestamp >= {lo:DateTime64(3)} AND timestamp <= {hi:DateTime64(3)}`,
    { project, session, lo: toClickHouseTime(from), hi: toClickHouseTime(to) },
  );
}

export interface StoredOperation {
  group_key: string;
  trace_id: string;
  span_id: string;
  day: string;
  failure_modes: string[];
  failure_severities: string[];
  failure_evidence: string[];
}

/** The live operations of these groups (their keys and failures), optionally only of these traces. */
export function readOperationsOf(store: Store, project: string, groupKeys: readonly string[], traces?: readonly string[]): Promise<StoredOperation[]> {
  return store.query(
    `SELECT group_key, trace_id, span_id, toString(day) AS day, failure_modes, failure_severities, failure_evidence FROM operations FINAL
      WHERE project_id = {project:String} AND group_key IN {keys:Array(String)}${traces ? ' AND trace_id IN {traces:Array(String)}' : ''}`,
    { project, keys: groupKeys, ...(traces ? { traces } : {}) },
  );
}

/** The latest stored tail (JSON text) of each of these conversation groups. */
export function readTails(store: Store, project: string, groupKeys: readonly string[]): Promise<{ group_key: string; tail: string }[]> {
  return store.query(
    `SELECT group_key, argMax(tail, version) AS tail FROM conversation_tails WHERE project_id = {project:String} AND group_key IN {keys:Array(String)} GROUP BY group_key`,
    { project, keys: groupKeys },
  );
}

export async function writeTails(store: Store, project: string, version: bigint, tails: readonly [string, string][]): Promise<void> {
  if (!tails.length) return;
  let body = '';
  for (const [key, tail] of tails) body += `[${JSON.stringify(project)},${JSON.stringify(key)},${version},${JSON.stringify(tail)}]\n`;
  await store.insertRows('conversation_tails', ['project_id', 'group_key', 'version', 'tail'], Buffer.from(body));
}

/** Rows a rebuild produced (JSONCompactEachRow lines of encodeOperations). */
export async function writeOperations(store: Store, body: string): Promise<void> {
  await store.insertRows('operations', OPERATION_COLUMNS, Buffer.from(body));
}
