// The operation's one description (src/model/operation.ts) against what is derived from it elsewhere: the
// operations table's DDL, the row encoder, the rule fields and the query API's tree node.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { OperationSchema, emptyOperation } from '../../src/model/operation.js';
import { OPERATION_COLUMNS, encodeOperations } from '../../src/store/rows/operations.js';
import { RuleFieldsSchema } from '../../src/normalize/rules.js';
import { Node } from '../../src/api/query/schemas.js';

const SCHEMAS = join(import.meta.dirname, '../../schemas/clickhouse');
const ddl = readFileSync(join(SCHEMAS, '003_operations.sql'), 'utf8');
/** Columns later migrations add to the table. */
const added = readdirSync(SCHEMAS).flatMap((f) => [...readFileSync(join(SCHEMAS, f), 'utf8').matchAll(/ALTER TABLE operations ADD COLUMN IF NOT EXISTS ([a-z_]+) (?!.*MATERIALIZED)/g)].map((m) => m[1]));

t.test('the row encoder writes exactly the columns of the operations table that are not computed', async (t) => {
  const table = ddl.slice(ddl.indexOf('CREATE TABLE IF NOT EXISTS operations'), ddl.indexOf('ENGINE = ReplacingMergeTree(version, is_deleted)'));
  const columns = [...table.matchAll(/^\s{4}([a-z_]+) ([A-Z][^\n]*)$/gm)].filter(([, , type]) => !type.includes('MATERIALIZED')).map(([, name]) => name);
  t.same([...OPERATION_COLUMNS].sort(), [...columns, ...added].sort());
});

t.test('a row has one value per column, times as bare nanoseconds', async (t) => {
  const op = emptyOperation({ kind: 'llm', dialect: 'd', traceId: 't', spanId: 's', startTimeUnixNano: '1795582931000000001', inputTokens: 3 });
  const { body, columns } = encodeOperations('p', 'g', 1n, [{ op, day: '2026-11-01', failures: [] }], []);
  const row = JSON.parse(body.replace(/,(\d{19}),/g, ',"$1",')) as unknown[];
  t.equal(row.length, columns.length);
  t.equal(row[columns.indexOf('start_time')], '1795582931000000001');
  t.equal(row[columns.indexOf('input_tokens')], 3);
  t.equal(row[columns.indexOf('input_messages')], '[]');
  t.equal(row[columns.indexOf('compaction_estimated')], 0);
});

t.test('emptyOperation is a valid operation with lists of its own', async (t) => {
  const a = emptyOperation({ kind: 'tool', dialect: 'x' });
  const b = emptyOperation({ kind: 'tool', dialect: 'x' });
  t.ok(OperationSchema.safeParse(a).success);
  a.inputMessages.push({ role: 'user', parts: [] });
  t.equal(b.inputMessages.length, 0, 'not shared between operations');
});

t.test('user rules and the API tree node name the fields the description gives them', async (t) => {
  const rules = Object.keys(RuleFieldsSchema.shape);
  for (const f of ['toolArguments', 'errorMessage', 'compactionTrigger', 'compactionTokensBefore', 'costUsd']) t.ok(rules.includes(f), f);
  for (const f of ['traceId', 'spanId', 'serviceName', 'depth', 'startTimeUnixNano']) t.notOk(rules.includes(f), `not ${f}`);
  const json = z.toJSONSchema(Node, { io: 'output', unrepresentable: 'any' }) as { properties: Record<string, { properties?: Record<string, unknown> }> };
  t.same(Object.keys(json.properties.agent.properties!), ['name', 'id', 'parent_id', 'depth']);
  t.same(Object.keys(json.properties.usage.properties!), ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd']);
  t.same(Object.keys(json.properties.tool.properties!), ['name', 'call_id', 'arguments', 'result']);
  t.same(Object.keys(json.properties.compaction.properties!), ['trigger', 'tokens_before', 'tokens_after', 'estimated']);
});
