// openai-chat: OpenAI's supervised chat fine-tuning JSONL ({messages, tools, parallel_tool_calls}), the shape
// Together, Fireworks, OpenPipe and others also read. Assistant turns carry `weight` 0 or 1; reasoning has no field.
import type { ToolDefinition } from '../../model/operation.js';
import type { ConvMessage } from '../conversation.js';
import { type ConversationFormat, type Formatted, fail } from '../types.js';
import { type ChatRuleOptions, type FlatMessage, chatRules, flatten, functionTools, isObj } from './messages.js';

type Content = string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[];

function textContent(texts: string[]): Content {
  return texts.length === 1 ? texts[0] : texts.map((text) => ({ type: 'text' as const, text }));
}

/** Chat messages in OpenAI's spelling; `weight` undefined leaves weights out (preference inputs). */
export function openAiMessages(flat: FlatMessage[], weight?: (m: FlatMessage) => 0 | 1): { ok: true; messages: Record<string, unknown>[]; lossy: string[] } | { ok: false; reason: string } {
  const out: Record<string, unknown>[] = [];
  const lossy = new Set<string>();
  for (const m of flat) {
    const named = m.name !== undefined ? { name: m.name } : {};
    switch (m.role) {
      case 'system':
        out.push({ role: 'system', content: textContent(m.texts), ...named });
        break;
      case 'user': {
        let content: Content = textContent(m.texts);
        if (m.media.length) {
          const parts: Exclude<Content, string> = m.texts.map((text) => ({ type: 'text' as const, text }));
          for (const p of m.media) {
            const url = p.uri ?? (p.data !== undefined ? `data:${p.mimeType};base64,${p.data}` : undefined);
            if (!p.mimeType.startsWith('image') || url === undefined) return { ok: false, reason: 'unsupported_media' };
            parts.push({ type: 'image_url', image_url: { url } });
          }
          content = parts;
        }
        out.push({ role: 'user', content, ...named });
        break;
      }
      case 'assistant': {
        if (m.reasoning.length) lossy.add('reasoning_dropped');
        const msg: Record<string, unknown> = { role: 'assistant', content: m.texts.length ? textContent(m.texts) : null, ...named };
        if (m.toolCalls.length) msg.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
        if (weight) msg.weight = weight(m);
        out.push(msg);
        break;
      }
      case 'tool':
        out.push({ role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.texts[0] ?? '' });
        break;
    }
  }
  return { ok: true, messages: out, lossy: [...lossy] };
}

/** tools and parallel_tool_calls, present when the agent declared tools. */
export function openAiTools(tools: readonly ToolDefinition[], messages: readonly Record<string, unknown>[]): Record<string, unknown> {
  if (tools.length === 0) return {};
  const parallel = messages.some((m) => Array.isArray(m.tool_calls) && m.tool_calls.length > 1);
  return { tools: functionTools(tools), parallel_tool_calls: parallel };
}

export const OPENAI_RULES: ChatRuleOptions = {
  args: 'string',
  keys: { system: ['content', 'name'], user: ['content', 'name'], assistant: ['content', 'tool_calls', 'weight', 'name'], tool: ['tool_call_id', 'content'] },
  toolCallId: true,
  toolName: false,
  weights: true,
};

export function toOpenAi(messages: readonly ConvMessage[], weight?: (m: FlatMessage) => 0 | 1) {
  const flat = flatten(messages);
  if (!flat.ok) return flat;
  return openAiMessages(flat.messages, weight);
}

export const openAiChat: ConversationFormat = {
  kind: 'conversation',
  name: 'openai-chat',
  version: '1',
  description: 'OpenAI chat fine-tuning JSONL: {messages, tools, parallel_tool_calls}, weight 0/1 on assistant turns',
  weights: true,
  format(ex): Formatted {
    const r = toOpenAi(ex.messages, (m) => (ex.weightZero && m.blamed ? 0 : 1));
    if (!r.ok) return fail(r.reason);
    return { ok: true, record: { messages: r.messages, ...openAiTools(ex.tools, r.messages) }, lossy: r.lossy };
  },
  validate(record) {
    if (!isObj(record)) return 'data_type';
    for (const k of Object.keys(record)) if (k !== 'messages' && k !== 'tools' && k !== 'parallel_tool_calls') return 'unrecognized_key';
    if (record.parallel_tool_calls !== undefined && typeof record.parallel_tool_calls !== 'boolean') return 'invalid_parallel_tool_calls';
    return chatRules(record.messages, record.tools, OPENAI_RULES);
  },
};
