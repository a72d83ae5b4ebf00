// sharegpt: {conversations: [{from, value}], tools} as LLaMA-Factory reads it (formatting: sharegpt): from is
// system | human | gpt | function_call | observation; after an optional leading system turn, human/observation
// and gpt/function_call strictly alternate and the count is even, or LLaMA-Factory drops the row. A function_call
// value is the JSON of {name, arguments} (a list for parallel calls); the results of parallel calls are one
// observation (a JSON list of the result texts). ShareGPT has no reasoning field, and a turn that calls tools
// cannot also carry text: both are left out and counted in the manifest, never folded into other text.
import { type ConversationFormat, type Formatted, fail } from '../types.js';
import { flatten, functionTools, isObj, parseArguments, toolNames } from './messages.js';

type Turn = { from: 'system' | 'human' | 'gpt' | 'function_call' | 'observation'; value: string };

export const sharegpt: ConversationFormat = {
  kind: 'conversation',
  name: 'sharegpt',
  version: '1',
  description: 'ShareGPT as LLaMA-Factory reads it: {conversations: [{from, value}], tools}',
  weights: false,
  format(ex): Formatted {
    const flat = flatten(ex.messages);
    if (!flat.ok) return fail(flat.reason);
    const turns: Turn[] = [];
    const lossy = new Set<string>();
    let results: string[] = [];
    const flush = () => {
      if (!results.length) return;
      turns.push({ from: 'observation', value: results.length === 1 ? results[0] : JSON.stringify(results) });
      results = [];
    };
    for (const m of flat.messages) {
      if (m.role !== 'tool') flush();
      if (m.media.length) return fail('unsupported_media');
      if (m.role === 'system') turns.push({ from: 'system', value: m.texts.join('') });
      else if (m.role === 'user') turns.push({ from: 'human', value: m.texts.join('') });
      else if (m.role === 'tool') results.push(m.texts[0] ?? '');
      else {
        if (m.reasoning.length) lossy.add('reasoning_dropped');
        if (m.toolCalls.length) {
          if (m.texts.some((t) => t !== '')) lossy.add('assistant_text_with_tool_calls_dropped');
          const calls = [];
          for (const c of m.toolCalls) {
            const args = parseArguments(c.arguments);
            if (!args) return fail('arguments_not_json_object');
            calls.push({ name: c.name, arguments: args });
          }
          turns.push({ from: 'function_call', value: JSON.stringify(calls.length === 1 ? calls[0] : calls) });
        } else turns.push({ from: 'gpt', value: m.texts.join('') });
      }
    }
    flush();
    const record: Record<string, unknown> = { conversations: turns };
    if (ex.tools.length) record.tools = JSON.stringify(functionTools(ex.tools));
    return { ok: true, record, lossy: [...lossy] };
  },
  validate(record) {
    if (!isObj(record)) return 'data_type';
    for (const k of Object.keys(record)) if (k !== 'conversations' && k !== 'tools') return 'unrecognized_key';
    let declared = new Set<string>();
    if (record.tools !== undefined) {
      if (typeof record.tools !== 'string') return 'invalid_tools';
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.tools);
      } catch {
        return 'invalid_tools';
      }
      const names = toolNames(parsed);
      if (!names) return 'invalid_tools';
      declared = names;
    }
    const conv = record.conversations;
    if (!Array.isArray(conv) || conv.length === 0) return 'no_messages';
    let turns = conv as unknown[];
    if (isObj(turns[0]) && turns[0].from === 'system') {
      if (typeof turns[0].value !== 'string' || Object.keys(turns[0]).length !== 2) return 'invalid_turn';
      turns = turns.slice(1);
    }
    if (turns.length === 0 || turns.length % 2 !== 0) return 'invalid_message_count';
    for (let i = 0; i < turns.length; i++) {
      const t = turns[i];
      if (!isObj(t) || typeof t.value !== 'string' || Object.keys(t).length !== 2) return 'invalid_turn';
      const ok = i % 2 === 0 ? t.from === 'human' || t.from === 'observation' : t.from === 'gpt' || t.from === 'function_call';
      if (!ok) return 'invalid_role_order';
      if (t.from === 'observation' && (i === 0 || (turns[i - 1] as Turn).from !== 'function_call')) return 'orphan_tool_result';
      if (t.from === 'function_call') {
        if (i + 1 >= turns.length) return 'unanswered_tool_call';
        let v: unknown;
        try {
          v = JSON.parse(t.value);
        } catch {
          return 'invalid_function_call';
        }
        for (const c of Array.isArray(v) ? v : [v]) {
          if (!isObj(c) || typeof c.name !== 'string' || !isObj(c.arguments)) return 'invalid_function_call';
          if (!declared.has(c.name)) return 'tool_not_declared';
        }
      }
      if ((t.from === 'gpt' || t.from === 'human') && t.value === '') return t.from === 'gpt' ? 'empty_assistant_turn' : 'missing_content';
      if (t.from === 'function_call' && (turns[i + 1] as Turn).from !== 'observation') return 'unanswered_tool_call';
    }
    return undefined;
  },
};
