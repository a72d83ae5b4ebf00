// Normalized operations (with their failures) -> rows of the operations table, as JSONCompactEachRow lines.
// The columns of an operation and how each is written follow from its description (OperationSchema in
// src/model/operation.ts): the column named there, encoded by the field's type.
import type { z } from 'zod';
import type { Failure } from '../../model/failure.js';
import type { OperationKey, OperationRow } from '../../model/operation-row.js';
import { CompactionSchema, type Operation, OperationSchema, emptyOperation, fieldMeta, fieldType } from '../../model/operation.js';

/** Operations are written by the settle loop (src/settle/settler.ts), not the ingest writer: JSON lines. */
export interface JsonRows {
  table: string;
  columns: readonly string[];
  /** JSONCompactEachRow lines, each ending in '\n'. */
  body: string;
  rows: number;
}

const ZERO_NS = '0';

/** Token counts are integers by contract; anything else a dialect let through is stored as unknown. */
function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

/** Nanosecond times go in as bare integers (DateTime64(9) reads them as ticks), beyond JSON's safe range. */
function nanos(v: unknown): string {
  return typeof v === 'string' && /^\d{1,19}$/.test(v) ? v : ZERO_NS;
}

/** One column: its name and the text of its value in a JSONCompactEachRow line. */
interface Column {
  name: string;
  text(op: Operation): string;
}

function column(name: string, schema: z.ZodType, get: (op: Operation) => unknown): Column {
  const meta = fieldMeta(schema);
  if (meta.unit === 'nanos') return { name, text: (op) => nanos(get(op)) };
  if (meta.unit === 'count') return { name, text: (op) => JSON.stringify(count(get(op))) };
  const { type, nullable } = fieldType(schema);
  switch (type) {
    case 'string':
    case 'enum':
      return { name, text: (op) => JSON.stringify(get(op) ?? '') };
    case 'boolean':
      return { name, text: (op) => (get(op) ? '1' : '0') };
    case 'array':
      return { name, text: (op) => JSON.stringify(JSON.stringify(get(op) ?? [])) }; // JSON text in a String column
    case 'number':
      if (nullable) return { name, text: (op) => { const v = get(op); return JSON.stringify(typeof v === 'number' && Number.isFinite(v) ? v : null); } };
      // The one plain number, depth, is a UInt8 column.
      return { name, text: (op) => String(Math.max(0, Math.min(255, (get(op) as number) | 0))) };
    default:
      throw new Error(`operations: no column encoding for a ${type} field (${name})`);
  }
}

/** The operation's columns, in schema order; a compaction's fields are columns of their own (compaction_<column>). */
const FIELD_COLUMNS: Column[] = Object.entries(OperationSchema.shape).flatMap(([key, schema]): Column[] => {
  if (key !== 'compaction') return [column(fieldMeta(schema).column, schema, (op) => op[key as keyof Operation])];
  return Object.entries(CompactionSchema.shape).map(([sub, s]) =>
    column(`compaction_${fieldMeta(s).column}`, s, (op) => op.compaction?.[sub as keyof NonNullable<Operation['compaction']>]),
  );
});

export const OPERATION_COLUMNS: readonly string[] = [
  'project_id',
  'day',
  'group_key',
  ...FIELD_COLUMNS.map((c) => c.name),
  'failure_modes',
  'failure_severities',
  'failure_detectors',
  'failure_evidence',
  'version',
  'is_deleted',
  // 007_alerts: the tool each failure names (the LLM call's failures name the tool it called).
  'failure_tools',
];

function encodeRow(project: string, day: string, groupKey: string, op: Operation, failures: Failure[], v: string, deleted: 0 | 1): string {
  let line = JSON.stringify([project, day, groupKey]).slice(0, -1);
  for (const c of FIELD_COLUMNS) line += ',' + c.text(op);
  const found = JSON.stringify([failures.map((f) => f.mode), failures.map((f) => f.severity), failures.map((f) => f.detector), failures.map((f) => f.evidence)]);
  const tools = JSON.stringify(failures.map((f) => f.toolName || op.toolName));
  return `${line},${found.slice(1, -1)},${v},${deleted},${tools}]\n`;
}

export function encodeOperations(project: string, groupKey: string, version: bigint, rows: OperationRow[], tombstones: OperationKey[]): JsonRows {
  let body = '';
  const v = version.toString();
  for (const { op, day, failures } of rows) body += encodeRow(project, day, groupKey, op, failures, v, 0);
  for (const t of tombstones) {
    const empty = emptyOperation({ kind: 'other', dialect: '', traceId: t.traceId, spanId: t.spanId });
    body += encodeRow(project, t.day, t.groupKey, empty, [], v, 1);
  }
  return { table: 'operations', columns: OPERATION_COLUMNS, body, rows: rows.length + tombstones.length };
}
