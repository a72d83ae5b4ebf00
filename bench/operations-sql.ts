// Generated agent operations for the query and dashboard benchmarks, made inside ClickHouse (INSERT ... SELECT FROM
// numbers()) so that millions of rows take seconds.
const OPS_PER_TRACE = 20;
const DAYS = 14;

// Generated per row number n: trace = n / 20, position in the trace = n % 20 (0 = the agent run). Ids are the
// hashes' 8 bytes in hex (32 and 16 digits, as OTLP ids are: hex() of the number itself drops leading zeros).
export function operationsSql(spans: number, now: number): string {
  return `
INSERT INTO operations (project_id, day, group_key, trace_id, span_id, parent_span_id, start_time, end_time, kind, dialect, source, name,
  service_name, agent_name, agent_id, parent_agent_id, depth, session_id, user_id, request_model, response_model, provider,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, finish_reason,
  tool_name, tool_call_id, tool_arguments, tool_result, status, error_type, error_message, input_messages, output_messages, tools,
  compaction_trigger, compaction_tokens_before, compaction_tokens_after, compaction_estimated, request_id,
  failure_modes, failure_severities, failure_detectors, failure_evidence, version, is_deleted)
SELECT 'default', toDate(st), concat('s:', sess), tid, sid, if(pos = 0, '', psid), st, st + toIntervalMillisecond(dur),
  kind, 'bench', 'span', if(kind = 'tool', concat('execute_tool ', tool), if(kind = 'llm', concat('chat ', model), 'invoke_agent')),
  concat('svc-', toString(t % 5)), concat('agent-', toString(t % 12)), toString(t), '', 0, sess, '', model, model, 'openai',
  if(kind = 'llm', 1000 + h % 5000, NULL), if(kind = 'llm', 50 + h % 500, NULL), if(kind = 'llm', h % 800, NULL), if(kind = 'llm', 0, NULL), NULL,
  if(kind = 'llm', (h % 1000) / 100000., NULL), if(kind = 'llm', if(h % 40 = 0, 'length', 'tool_call'), ''),
  tool, if(kind = 'tool', concat('call_', toString(n)), ''), if(kind = 'tool', '{"path":"/src/file.ts"}', ''), '', if(failed, 'error', 'ok'),
  if(failed, 'ToolError', ''), if(failed, 'command failed with exit code 1', ''), '[]', '[]', '[]', '', NULL, NULL, 0, '',
  modes, arrayMap(x -> 'medium', modes), arrayMap(x -> 'span', modes), arrayMap(x -> 'exit code 1', modes), 1, 0
FROM (
  SELECT number AS n, intDiv(number, ${OPS_PER_TRACE}) AS t, number % ${OPS_PER_TRACE} AS pos, cityHash64(number) AS h,
    lower(hex(toFixedString(reinterpretAsString(cityHash64(t, 'trace')), 8))) || lower(hex(toFixedString(reinterpretAsString(cityHash64(t, 'trace2')), 8))) AS tid,
    lower(hex(toFixedString(reinterpretAsString(cityHash64(number, 'span')), 8))) AS sid,
    lower(hex(toFixedString(reinterpretAsString(cityHash64(t * ${OPS_PER_TRACE}, 'span')), 8))) AS psid,
    toString(intDiv(t, 10)) AS sess,
    fromUnixTimestamp64Milli(toInt64(${now} - (t * 7919 % (${DAYS} * 86400000)) + pos * 2000)) AS st,
    if(pos = 0, 40000, 100 + h % 3000) AS dur,
    multiIf(pos = 0, 'agent', pos % 2 = 1, 'llm', pos = 10 AND t % 7 = 0, 'subagent', 'tool') AS kind,
    if(kind = 'tool', concat('tool_', toString(h % 40)), '') AS tool,
    if(kind = 'llm', concat('model-', toString(t % 6)), '') AS model,
    kind = 'tool' AND h % 100 < 6 AS failed,
    if(failed, ['tool_error'], if(kind = 'tool' AND h % 100 = 7, ['repeated_tool_call'], if(kind = 'llm' AND h % 40 = 0, ['output_truncated'], []))) AS modes
  FROM numbers(${spans})
)`;
}

