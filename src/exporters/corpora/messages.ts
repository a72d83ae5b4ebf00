// Shared by the chat-shaped formats: normalized messages -> OpenAI-style chat messages, and the rules every
// chat format checks (roles, tool-call pairing, non-empty assistant turns, declared tool names).
import type { ChatPart, ToolDefinition } from '../../model/operation.js';
import type { ConvMessage } from '../conversation.js';

export interface ChatToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One message in the common chat shape, before a format's own spelling. */
export interface FlatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** Text parts in order (one element per part: nothing merged here; a format decides how to spell several). */
  texts: string[];
  reasoning: string[];
  toolCalls: ChatToolCall[];
  /** tool role: the call answered. */
  toolCallId?: string;
  toolName?: string;
  isError?: boolean;
  media: Extract<ChatPart, { type: 'media' }>[];
  name?: string;
  /** assistant: a detector blamed it. */
  blamed: boolean;
}

/**
 * Splits each normalized message into chat messages: tool results become one tool message each (Anthropic puts
 * them in user messages), the rest keeps its role and order. Fails on parts a chat format cannot carry.
 */
export function flatten(messages: readonly ConvMessage[]): { ok: true; messages: FlatMessage[] } | { ok: false; reason: string } {
  const out: FlatMessage[] = [];
  for (const m of messages) {
    let cur: FlatMessage | undefined;
    const open = (): FlatMessage => {
      if (!cur) {
        cur = { role: m.role === 'tool' ? 'user' : m.role, texts: [], reasoning: [], toolCalls: [], media: [], blamed: m.blamedBy.length > 0 };
        if (m.name !== undefined) cur.name = m.name;
        out.push(cur);
      }
      return cur;
    };
    for (const p of m.parts) {
      switch (p.type) {
        case 'tool_result': {
          if (m.role === 'assistant') return { ok: false, reason: 'tool_result_in_assistant_turn' };
          const t: FlatMessage = { role: 'tool', texts: [p.content], reasoning: [], toolCalls: [], media: [], blamed: false, toolCallId: p.id };
          if (p.name !== undefined) t.toolName = p.name;
          if (p.isError) t.isError = true;
          out.push(t);
          cur = undefined;
          break;
        }
        case 'text':
          if (m.role === 'tool') return { ok: false, reason: 'tool_message_without_call_id' };
          open().texts.push(p.text);
          break;
        case 'reasoning':
          if (m.role !== 'assistant') return { ok: false, reason: 'reasoning_outside_assistant_turn' };
          open().reasoning.push(p.text);
          break;
        case 'tool_call':
          if (m.role !== 'assistant') return { ok: false, reason: 'tool_call_outside_assistant_turn' };
          open().toolCalls.push({ id: p.id, name: p.name, arguments: p.arguments });
          break;
        case 'media':
          if (m.role !== 'user') return { ok: false, reason: 'media_outside_user_turn' };
          open().media.push(p);
          break;
      }
    }
    // A message with no parts at all (an assistant turn with nothing recorded) is left for the rules to judge.
    if (m.parts.length === 0) open();
  }
  return { ok: true, messages: out };
}

export interface ChatRuleOptions {
  /** How tool-call arguments are spelled: JSON text (OpenAI) or an object (TRL). */
  args: 'string' | 'object';
  /** Keys each role may carry. */
  keys: Record<'system' | 'user' | 'assistant' | 'tool', readonly string[]>;
  /** Tool messages name the call they answer (`tool_call_id`) / the tool (`name`). */
  toolCallId: boolean;
  toolName: boolean;
  /** OpenAI's per-turn `weight` (0 or 1) on assistant turns. */
  weights: boolean;
  /** A preference prompt: no assistant turn needs to be trained on. */
  prompt?: boolean;
}

const nonEmptyText = (c: unknown): boolean =>
  (typeof c === 'string' && c !== '') || (Array.isArray(c) && c.some((p) => isObj(p) && ((p.type === 'text' && typeof p.text === 'string' && p.text !== '') || p.type === 'image_url')));

/**
 * The chat rules every conversational format shares (docs/corpora.md, "Validation"), applied to the record as it
 * will be written: known roles and keys; the first non-system turn is the user's; assistant turns are not empty;
 * every tool call has an id, a `function` type, a name declared in `tools` and arguments that parse, and is
 * answered by exactly one tool message before the next assistant turn; no tool message answers nothing; at least
 * one assistant turn is trained on.
 */
export function chatRules(messages: unknown, tools: unknown, o: ChatRuleOptions): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return 'no_messages';
  const declared = tools === undefined ? new Set<string>() : toolNames(tools);
  if (!declared) return 'invalid_tools';
  let seenTurn = false;
  let pending = new Set<string>();
  let pendingNames: string[] = [];
  let trainable = false;
  for (const m of messages) {
    if (!isObj(m) || typeof m.role !== 'string') return 'message_without_role';
    const role = m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') return 'unrecognized_role';
    for (const k of Object.keys(m)) if (k !== 'role' && !o.keys[role].includes(k)) return 'message_unrecognized_key';
    if (role !== 'system' && !seenTurn) {
      if (role !== 'user') return 'first_turn_not_user';
      seenTurn = true;
    }
    if (role === 'assistant') {
      if (pending.size) return 'unanswered_tool_call';
      const calls = m.tool_calls;
      if (calls !== undefined && (!Array.isArray(calls) || calls.length === 0)) return 'invalid_tool_calls';
      if (!nonEmptyText(m.content) && calls === undefined) return 'empty_assistant_turn';
      if (m.content !== undefined && m.content !== null && typeof m.content !== 'string' && !Array.isArray(m.content)) return 'invalid_content';
      pending = new Set();
      pendingNames = [];
      for (const c of (calls as unknown[] | undefined) ?? []) {
        if (!isObj(c) || c.type !== 'function' || !isObj(c.function)) return 'invalid_tool_call';
        const id = c.id;
        if (o.toolCallId && (typeof id !== 'string' || id === '')) return 'tool_call_without_id';
        const name = c.function.name;
        if (typeof name !== 'string' || name === '') return 'tool_call_without_name';
        if (!declared.has(name)) return 'tool_not_declared';
        const args = c.function.arguments;
        if (o.args === 'string' ? typeof args !== 'string' || parseArguments(args) === undefined : !isObj(args)) return 'arguments_not_json_object';
        const key = o.toolCallId ? (id as string) : `${pendingNames.length}`;
        if (pending.has(key)) return 'duplicate_tool_call_id';
        pending.add(key);
        pendingNames.push(name);
      }
      if (o.weights) {
        if (m.weight !== 0 && m.weight !== 1) return 'invalid_weight';
        if (m.weight === 1) trainable = true;
      } else trainable = true;
    } else if (role === 'tool') {
      if (typeof m.content !== 'string') return 'missing_content';
      if (o.toolName && (typeof m.name !== 'string' || !pendingNames.includes(m.name))) return 'orphan_tool_result';
      if (o.toolCallId) {
        if (typeof m.tool_call_id !== 'string' || !pending.has(m.tool_call_id)) return 'orphan_tool_result';
        pending.delete(m.tool_call_id);
      } else {
        const first = pending.values().next();
        if (first.done) return 'orphan_tool_result';
        pending.delete(first.value);
      }
    } else if (!nonEmptyText(m.content)) return 'missing_content';
  }
  if (pending.size) return 'unanswered_tool_call';
  if (!trainable && !o.prompt) return 'no_trainable_assistant_turn';
  return undefined;
}

/** JSON text that parses; `object` also requires a JSON object (what tool arguments are). */
export function parseArguments(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `{type: 'function', function: {name, description?, parameters?}}`: the tools list OpenAI and TRL read. */
export function functionTools(tools: readonly ToolDefinition[]): { type: 'function'; function: Record<string, unknown> }[] {
  return tools.map((t) => ({
    type: 'function' as const,
    function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), ...(t.parameters !== undefined ? { parameters: t.parameters } : {}) },
  }));
}

export const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Names of `{type:'function', function:{name}}` tools; undefined when the list is not in that shape. */
export function toolNames(tools: unknown): Set<string> | undefined {
  if (!Array.isArray(tools)) return undefined;
  const names = new Set<string>();
  for (const t of tools) {
    if (!isObj(t) || t.type !== 'function' || !isObj(t.function) || typeof t.function.name !== 'string' || !t.function.name) return undefined;
    names.add(t.function.name);
  }
  return names;
}
