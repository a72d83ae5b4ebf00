// trl: Hugging Face TRL's conversational language-modeling rows, {messages, tools}: tool-call arguments as objects,
// tool results as role `tool` with the tool's `name`, reasoning kept as `reasoning_content` (what Qwen-style
// templates read). TRL has no per-turn weight: blamed turns are cut (--blamed drop) or kept.
import type { ToolDefinition } from '../../model/operation.js';
import type { ConvMessage } from '../conversation.js';
import { type ConversationFormat, type Formatted, fail } from '../types.js';
import { type ChatRuleOptions, chatRules, flatten, functionTools, isObj, parseArguments } from './messages.js';

/** Messages in TRL's spelling, or why they cannot be. Several text parts of one message are joined with ''. */
export function trlMessages(messages: readonly ConvMessage[]): { ok: true; messages: Record<string, unknown>[] } | { ok: false; reason: string } {
  const flat = flatten(messages);
  if (!flat.ok) return flat;
  const out: Record<string, unknown>[] = [];
  const nameOf = new Map<string, string>();
  for (const m of flat.messages) {
    const named = m.name !== undefined ? { name: m.name } : {};
    if (m.media.length) return { ok: false, reason: 'unsupported_media' };
    if (m.role === 'assistant') {
      const msg: Record<string, unknown> = { role: 'assistant', ...named };
      if (m.texts.length) msg.content = m.texts.join('');
      if (m.reasoning.length) msg.reasoning_content = m.reasoning.join('');
      if (m.toolCalls.length) {
        const calls: Record<string, unknown>[] = [];
        for (const c of m.toolCalls) {
          const args = parseArguments(c.arguments);
          if (!args) return { ok: false, reason: 'arguments_not_json_object' };
          nameOf.set(c.id, c.name);
          calls.push({ id: c.id, type: 'function', function: { name: c.name, arguments: args } });
        }
        msg.tool_calls = calls;
      }
      out.push(msg);
    } else if (m.role === 'tool') {
      const id = m.toolCallId ?? '';
      out.push({ role: 'tool', tool_call_id: id, name: nameOf.get(id) ?? m.toolName ?? '', content: m.texts[0] ?? '' });
    } else out.push({ role: m.role, content: m.texts.join(''), ...named });
  }
  return { ok: true, messages: out };
}

export const TRL_RULES: ChatRuleOptions = {
  args: 'object',
  keys: { system: ['content', 'name'], user: ['content', 'name'], assistant: ['content', 'reasoning_content', 'tool_calls', 'name'], tool: ['tool_call_id', 'name', 'content'] },
  toolCallId: true,
  toolName: true,
  weights: false,
};

export const trlTools = (tools: readonly ToolDefinition[]) => functionTools(tools);

export const trl: ConversationFormat = {
  kind: 'conversation',
  name: 'trl',
  version: '1',
  description: 'Hugging Face TRL conversational rows: {messages, tools}, arguments as objects, reasoning_content kept',
  weights: false,
  format(ex): Formatted {
    const r = trlMessages(ex.messages);
    if (!r.ok) return fail(r.reason);
    return { ok: true, record: { messages: r.messages, tools: trlTools(ex.tools) } };
  },
  validate(record) {
    if (!isObj(record)) return 'data_type';
    for (const k of Object.keys(record)) if (k !== 'messages' && k !== 'tools') return 'unrecognized_key';
    if (!Array.isArray(record.tools)) return 'missing_tools_column';
    return chatRules(record.messages, record.tools, TRL_RULES);
  },
};
