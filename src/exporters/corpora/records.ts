// records: the flat normalized operations of the selected runs (LLM, tool, agent ... calls with their failures),
// one JSON object per line, or Parquet written by the store's own output format (src/store/read/export.ts).
import type { RecordsFormat } from '../types.js';
import { isObj } from './messages.js';

/** The keys of a records line (the operations table's columns, as src/store/read/export.ts selects them). */
export const RECORD_KEYS = [
  'trace_id', 'span_id', 'parent_span_id', 'group_key', 'kind', 'name', 'dialect', 'source', 'start', 'end', 'service', 'agent', 'agent_id',
  'parent_agent_id', 'depth', 'session_id', 'user_id', 'request_model', 'response_model', 'provider', 'input_tokens', 'output_tokens',
  'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd', 'finish_reason', 'tool_name', 'tool_call_id', 'tool_arguments',
  'tool_result', 'status', 'error_type', 'error_message', 'input_messages', 'output_messages', 'tools', 'failures',
] as const;

export const records: RecordsFormat = {
  kind: 'records',
  name: 'records',
  version: '1',
  description: 'The flat normalized operations with their failures: JSONL, or Parquet (written by ClickHouse)',
  validate(record) {
    if (!isObj(record)) return 'data_type';
    for (const k of RECORD_KEYS) if (!(k in record)) return 'missing_key';
    if (typeof record.trace_id !== 'string' || record.trace_id === '') return 'missing_trace_id';
    if (!Array.isArray(record.failures)) return 'invalid_failures';
    return undefined;
  },
};
