// openai-preference: OpenAI's preference (DPO) JSONL, {input: {messages, tools, parallel_tool_calls},
// preferred_output, non_preferred_output}. Each side is the one assistant turn where the two runs of a task first
// differ (Together and Fireworks require exactly one), the input is everything before it, shared by both runs.
import { type Formatted, type PreferenceFormat, fail } from '../types.js';
import { chatRules, isObj } from './messages.js';
import { OPENAI_RULES, openAiTools, toOpenAi } from './openai-chat.js';

/**
 * One side of a pair: exactly one non-empty assistant message whose tool calls parse and (`declared`) name declared
 * tools. The rejected side may call a tool that does not exist: that is often why it was rejected.
 */
export function oneAssistantTurn(side: unknown, tools: unknown, check: (messages: unknown[], tools: unknown) => string | undefined, declared = true): string | undefined {
  if (!Array.isArray(side) || side.length !== 1) return 'output_not_one_assistant_turn';
  const m = side[0];
  if (!isObj(m) || m.role !== 'assistant') return 'output_not_one_assistant_turn';
  if (!declared && Array.isArray(m.tool_calls)) {
    const own = m.tool_calls.flatMap((c) => (isObj(c) && isObj(c.function) && typeof c.function.name === 'string' ? [{ type: 'function', function: { name: c.function.name } }] : []));
    tools = [...(Array.isArray(tools) ? tools : []), ...own];
  }
  // The turn checked as a conversation of its own, after a placeholder user turn; calls need no answer here.
  const reason = check([{ role: 'user', content: 'x' }, m], tools);
  return reason === 'unanswered_tool_call' ? undefined : reason;
}

export const openAiPreference: PreferenceFormat = {
  kind: 'preference',
  name: 'openai-preference',
  version: '1',
  description: 'OpenAI preference (DPO) JSONL: {input: {messages, tools}, preferred_output, non_preferred_output}',
  format(pair): Formatted {
    const input = toOpenAi(pair.input);
    const chosen = toOpenAi([pair.chosenTurn]);
    const rejected = toOpenAi([pair.rejectedTurn]);
    if (!input.ok) return fail(input.reason);
    if (!chosen.ok) return fail(chosen.reason);
    if (!rejected.ok) return fail(rejected.reason);
    const all = [...input.messages, ...chosen.messages, ...rejected.messages];
    return {
      ok: true,
      record: { input: { messages: input.messages, ...openAiTools(pair.tools, all) }, preferred_output: chosen.messages, non_preferred_output: rejected.messages },
      lossy: [...new Set([...input.lossy, ...chosen.lossy, ...rejected.lossy])],
    };
  },
  validate(record) {
    if (!isObj(record) || !isObj(record.input)) return 'data_type';
    for (const k of Object.keys(record)) if (k !== 'input' && k !== 'preferred_output' && k !== 'non_preferred_output') return 'unrecognized_key';
    const { messages, tools } = record.input;
    const rules = { ...OPENAI_RULES, weights: false, prompt: true };
    const reason = chatRules(messages, tools, rules);
    if (reason) return reason;
    const check = (m: unknown[], t: unknown) => chatRules(m, t, rules);
    const side = oneAssistantTurn(record.preferred_output, tools, check) ?? oneAssistantTurn(record.non_preferred_output, tools, check, false);
    if (side) return side;
    if (JSON.stringify(record.preferred_output) === JSON.stringify(record.non_preferred_output)) return 'outputs_identical';
    return undefined;
  },
};
