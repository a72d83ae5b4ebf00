// One converter from every message shape seen in the dialects into ChatMessage[]:
// OTel GenAI (role + parts: text/reasoning/tool_call/tool_call_response/blob/uri/file), OpenAI chat
// (content string or blocks, tool_calls, role=tool + tool_call_id), Anthropic Messages (text/thinking/
// tool_use/tool_result/image blocks, top-level system), Vercel AI SDK (text/reasoning/tool-call/tool-result),
// Gemini (role=model, parts with text/functionCall/functionResponse), LangChain serialized messages, and
// flattened OpenInference / OpenLLMetry lists once unflattened. Unknown shapes degrade to a text part
// holding their JSON, never to an exception.
import type { ChatMessage, ChatPart, ToolDefinition } from '../model/operation.js';
import { isObj, parseJsonLoose, toText } from './values.js';

type Role = ChatMessage['role'];

const ROLE_MAP: Record<string, Role> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  ai: 'assistant',
  model: 'assistant',
  bot: 'assistant',
  tool: 'tool',
  function: 'tool',
  ipython: 'tool',
  systemmessage: 'system',
  humanmessage: 'user',
  aimessage: 'assistant',
  aimessagechunk: 'assistant',
  toolmessage: 'tool',
  functionmessage: 'tool',
};

export function mapRole(r: unknown, fallback: Role = 'user'): Role {
  if (typeof r !== 'string') return fallback;
  return ROLE_MAP[r.toLowerCase()] ?? fallback;
}

export interface MessageOptions {
  /** Role for messages that do not name one (output lists default to assistant). */
  defaultRole?: Role;
}

/** Converts any supported messages value (JSON text, structured tree, single message, wrapper object). */
export function toChatMessages(value: unknown, opts: MessageOptions = {}): ChatMessage[] {
  const role = opts.defaultRole ?? 'user';
  const v = parseJsonLoose(value);
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [{ role, parts: [{ type: 'text', text: v }] }];
  if (Array.isArray(v)) {
    const out: ChatMessage[] = [];
    for (const m of v) {
      if (m === undefined || m === null) continue;
      if (typeof m === 'string') out.push({ role, parts: [{ type: 'text', text: m }] });
      else if (isObj(m) && looksLikePart(m) && !('role' in m)) out.push({ role, parts: toParts([m], role) });
      else if (isObj(m)) out.push(toMessage(m, role));
      else out.push({ role, parts: [{ type: 'text', text: toText(m) }] });
    }
    return out;
  }
  if (!isObj(v)) return [{ role, parts: [{ type: 'text', text: toText(v) }] }];
  // Wrappers: Anthropic request body {system, messages}, AI SDK ai.prompt {system, prompt, messages},
  // Gemini request {contents, systemInstruction}, OpenAI Responses {input}, LangSmith run inputs {messages}.
  const out: ChatMessage[] = [];
  const system = v.system ?? v.systemInstruction ?? v.system_instruction ?? v.instructions;
  if (system !== undefined && system !== null && system !== '') out.push(...systemMessages(system));
  const list = v.messages ?? v.contents ?? (Array.isArray(v.input) ? v.input : undefined);
  if (list !== undefined) {
    // LangChain batches nest messages one level deeper: [[msg, msg]].
    const flat = Array.isArray(list) && list.length > 0 && Array.isArray(list[0]) ? (list[0] as unknown[]) : list;
    out.push(...toChatMessages(flat, opts));
  }
  if (typeof v.prompt === 'string') out.push({ role: 'user', parts: [{ type: 'text', text: v.prompt }] });
  if (out.length > 0) return out;
  if ('role' in v || 'parts' in v || 'content' in v || ('lc' in v && 'kwargs' in v)) return [toMessage(v, role)];
  return [{ role, parts: [{ type: 'text', text: toText(v) }] }];
}

/** `gen_ai.system_instructions` (list of parts), Anthropic `system` (string or blocks) -> system messages. */
export function systemMessages(value: unknown): ChatMessage[] {
  const v = parseJsonLoose(value);
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [{ role: 'system', parts: [{ type: 'text', text: v }] }];
  if (isObj(v) && (Array.isArray(v.parts) || 'role' in v)) return [toMessage(v, 'system')];
  const parts = toParts(Array.isArray(v) ? v : [v], 'system');
  return parts.length ? [{ role: 'system', parts }] : [];
}

function looksLikePart(o: Record<string, unknown>): boolean {
  // LangChain dicts use `type` for the role ({type: 'human', content}); those are messages, not parts.
  if (typeof o.type === 'string') return ROLE_MAP[o.type.toLowerCase()] === undefined;
  return 'functionCall' in o || 'functionResponse' in o || ('text' in o && !('content' in o));
}

function toMessage(o: Record<string, unknown>, fallback: Role): ChatMessage {
  // LangChain serialized form: {lc, type: 'constructor', id: [..., 'HumanMessage'], kwargs: {...}}
  if ('lc' in o && isObj(o.kwargs)) {
    const id = Array.isArray(o.id) ? o.id[o.id.length - 1] : undefined;
    return toMessage({ ...o.kwargs, role: o.kwargs.role ?? o.kwargs.type ?? id }, fallback);
  }
  const role = mapRole(o.role ?? (typeof o.type === 'string' && ROLE_MAP[o.type.toLowerCase()] ? o.type : undefined) ?? o.author, fallback);
  const parts: ChatPart[] = [];
  if (Array.isArray(o.parts)) parts.push(...toParts(o.parts, role));
  const content = parseContent(o.content);
  if (typeof content === 'string') {
    if (role === 'tool') {
      parts.push({ type: 'tool_result', id: toText(o.tool_call_id ?? o.toolCallId ?? o.id), ...(typeof o.name === 'string' ? { name: o.name } : {}), content });
    } else if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    const ps = toParts(content, role);
    if (role === 'tool' && ps.every((p) => p.type === 'text')) {
      parts.push({ type: 'tool_result', id: toText(o.tool_call_id ?? o.toolCallId ?? o.id), content: ps.map((p) => (p as { text: string }).text).join('') });
    } else parts.push(...ps);
  } else if (content !== undefined && content !== null) {
    parts.push({ type: 'text', text: toText(content) });
  }
  if (typeof o.text === 'string' && parts.length === 0) parts.push({ type: 'text', text: o.text });
  if (typeof o.reasoning_content === 'string' && o.reasoning_content) parts.push({ type: 'reasoning', text: o.reasoning_content });
  // OpenAI tool_calls / legacy function_call; LangChain tool_calls [{name, args, id}].
  const calls = parseJsonLoose(o.tool_calls ?? o.toolCalls);
  if (Array.isArray(calls)) for (const c of calls) if (isObj(c)) parts.push(toolCallPart(c));
  if (isObj(o.function_call)) parts.push(toolCallPart(o.function_call));
  if (typeof o.function_call_name === 'string') {
    parts.push({ type: 'tool_call', id: '', name: o.function_call_name, arguments: toText(o.function_call_arguments_json) });
  }
  const msg: ChatMessage = { role, parts };
  if (typeof o.name === 'string' && o.name !== '' && role !== 'tool') msg.name = o.name;
  return msg;
}

function parseContent(c: unknown): unknown {
  // Multimodal content is sometimes a JSON text of blocks (OpenLLMetry gen_ai.prompt.N.content).
  if (typeof c === 'string' && c.startsWith('[{')) {
    const p = parseJsonLoose(c);
    if (Array.isArray(p) && p.every((x) => isObj(x) && typeof x.type === 'string')) return p;
  }
  return c;
}

function toolCallPart(c: Record<string, unknown>): ChatPart {
  // OpenAI: {id, type:'function', function:{name, arguments}}; OpenInference: {tool_call:{id, function:{...}}}
  const inner = isObj(c.tool_call) ? c.tool_call : c;
  const fn = isObj(inner.function) ? inner.function : inner;
  return {
    type: 'tool_call',
    id: toText(inner.id ?? inner.toolCallId ?? inner.call_id ?? ''),
    name: toText(fn.name ?? inner.toolName ?? ''),
    arguments: toText(fn.arguments ?? fn.args ?? fn.input ?? inner.args ?? inner.input ?? ''),
  };
}

export function toParts(list: unknown[], role: Role): ChatPart[] {
  const out: ChatPart[] = [];
  for (const p of list) {
    if (p === undefined || p === null) continue;
    if (typeof p === 'string') {
      out.push({ type: 'text', text: p });
      continue;
    }
    if (!isObj(p)) {
      out.push({ type: 'text', text: toText(p) });
      continue;
    }
    const part = toPart(p, role);
    if (part) out.push(part);
  }
  return out;
}

function toPart(p: Record<string, unknown>, role: Role): ChatPart | null {
  const type = typeof p.type === 'string' ? p.type : '';
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: toText(p.content ?? p.text) };
    case 'reasoning':
    case 'thinking':
      return { type: 'reasoning', text: toText(p.content ?? p.text ?? p.thinking ?? p.reasoning ?? p.summary) };
    case 'redacted_thinking':
      return { type: 'reasoning', text: '[redacted]' };
    case 'tool_call':
    case 'tool-call':
    case 'tool_use':
    case 'function_call':
    case 'server_tool_call':
    case 'server_tool_use':
    case 'tool_use_content': {
      const inner = isObj(p.server_tool_call) ? p.server_tool_call : p;
      return {
        type: 'tool_call',
        id: toText(p.id ?? p.toolCallId ?? p.call_id ?? ''),
        name: toText(p.name ?? p.toolName ?? inner.name ?? inner.type ?? ''),
        arguments: toText(p.arguments ?? p.input ?? p.args ?? (inner !== p ? inner : '')),
      };
    }
    case 'tool_call_response':
    case 'tool-result':
    case 'tool_result':
    case 'function_call_output':
    case 'server_tool_call_response':
    case 'server_tool_result':
    case 'tool_error': {
      const content = p.response ?? p.result ?? p.output ?? p.content ?? p.server_tool_call_response;
      const part: ChatPart = {
        type: 'tool_result',
        id: toText(p.id ?? p.toolCallId ?? p.tool_use_id ?? p.call_id ?? ''),
        content: Array.isArray(content) ? blocksText(content) : toText(isObj(content) && 'value' in content && 'type' in content ? content.value : content),
      };
      const name = p.toolName ?? p.name;
      if (typeof name === 'string' && name) part.name = name;
      if (p.is_error === true || p.isError === true || type === 'tool_error') part.isError = true;
      return part;
    }
    case 'image_url': {
      const u = isObj(p.image_url) ? p.image_url.url : p.image_url;
      return { type: 'media', mimeType: 'image', uri: toText(u) };
    }
    case 'image':
    case 'file':
    case 'blob':
    case 'uri':
    case 'document':
    case 'input_image':
    case 'audio':
    case 'input_audio': {
      const src = isObj(p.source) ? p.source : p;
      const mime = toText(src.media_type ?? src.mime_type ?? p.mediaType ?? p.mimeType ?? p.mime_type ?? p.modality ?? type);
      const uri = src.url ?? p.uri ?? p.file_id ?? p.image_url ?? (typeof p.image === 'string' && p.image.startsWith('http') ? p.image : undefined);
      const data = src.data ?? (type === 'blob' ? p.content : undefined) ?? (typeof p.image === 'string' && !p.image.startsWith('http') ? p.image : undefined) ?? p.data;
      const part: ChatPart = { type: 'media', mimeType: mime };
      if (uri !== undefined) part.uri = toText(uri);
      if (data !== undefined && typeof data === 'string') part.data = data;
      return part;
    }
    case '':
      break;
    default:
      if (typeof p.text === 'string') return { type: 'text', text: p.text };
      return { type: 'text', text: toText(p) };
  }
  // Untyped parts: Gemini ({text, thought?} | {functionCall} | {functionResponse} | {inlineData}), OpenInference
  // message_content ({message_content: {type, text}}).
  if (isObj(p.message_content)) return toPart(p.message_content, role);
  if (isObj(p.functionCall)) {
    const fc = p.functionCall;
    return { type: 'tool_call', id: toText(fc.id ?? ''), name: toText(fc.name), arguments: toText(fc.args ?? '') };
  }
  if (isObj(p.functionResponse)) {
    const fr = p.functionResponse;
    const part: ChatPart = { type: 'tool_result', id: toText(fr.id ?? ''), content: toText(fr.response) };
    if (typeof fr.name === 'string') part.name = fr.name;
    // The Gemini API's convention: the function's output under `output`, its failure under `error` (ADK sends
    // a tool that threw this way).
    const r = fr.response;
    if (isObj(r) && r.error !== undefined && r.error !== null && r.error !== '' && r.output === undefined) part.isError = true;
    return part;
  }
  // Bedrock Converse blocks (Strands): {toolUse: {toolUseId, name, input}}, {toolResult: {toolUseId, content, status}}.
  if (isObj(p.toolUse)) {
    const tu = p.toolUse;
    return { type: 'tool_call', id: toText(tu.toolUseId ?? ''), name: toText(tu.name), arguments: toText(tu.input ?? '') };
  }
  if (isObj(p.toolResult)) {
    const tr = p.toolResult;
    const part: ChatPart = { type: 'tool_result', id: toText(tr.toolUseId ?? ''), content: Array.isArray(tr.content) ? blocksText(tr.content) : toText(tr.content) };
    if (tr.status === 'error') part.isError = true;
    return part;
  }
  if (isObj(p.reasoningContent)) {
    const rc = p.reasoningContent;
    return { type: 'reasoning', text: toText(isObj(rc.reasoningText) ? rc.reasoningText.text : rc.text ?? rc) };
  }
  if (isObj(p.inlineData)) return { type: 'media', mimeType: toText(p.inlineData.mimeType), data: toText(p.inlineData.data) };
  if (typeof p.text === 'string') return p.thought === true ? { type: 'reasoning', text: p.text } : { type: 'text', text: p.text };
  if (typeof p.content === 'string') return { type: 'text', text: p.content };
  return { type: 'text', text: toText(p) };
}

function blocksText(blocks: unknown[]): string {
  const texts: string[] = [];
  for (const b of blocks) {
    if (typeof b === 'string') texts.push(b);
    else if (isObj(b) && typeof b.text === 'string') texts.push(b.text);
    else texts.push(toText(b));
  }
  return texts.join('\n');
}

/** Plain text of messages (all text parts), e.g. to test a prompt for `/compact`. */
export function messagesText(msgs: ChatMessage[]): string {
  const out: string[] = [];
  for (const m of msgs) for (const p of m.parts) if (p.type === 'text') out.push(p.text);
  return out.join('\n');
}

/**
 * Tool declarations: semconv `gen_ai.tool.definitions`, OpenAI `{type:'function', function:{...}}`,
 * Anthropic `{name, input_schema}`, AI SDK `{type:'function', name, inputSchema|parameters}` (often a list of
 * JSON strings), Gemini `{functionDeclarations: [...]}`, OpenInference `{tool: {json_schema}}`.
 */
export function toToolDefinitions(value: unknown): ToolDefinition[] {
  const v = parseJsonLoose(value);
  const list = Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v];
  const out: ToolDefinition[] = [];
  for (const raw of list) {
    const item = parseJsonLoose(raw);
    if (!isObj(item)) continue;
    const decls = item.functionDeclarations ?? item.function_declarations;
    if (Array.isArray(decls)) {
      out.push(...toToolDefinitions(decls));
      continue;
    }
    if (isObj(item.tool)) {
      out.push(...toToolDefinitions(item.tool.json_schema ?? item.tool));
      continue;
    }
    const fn = isObj(item.function) ? item.function : item;
    const name = toText(fn.name);
    if (!name) continue;
    const def: ToolDefinition = { name };
    if (typeof fn.description === 'string' && fn.description) def.description = fn.description;
    const params = fn.parameters ?? fn.input_schema ?? fn.inputSchema ?? fn.json_schema;
    if (params !== undefined) def.parameters = parseJsonLoose(params);
    out.push(def);
  }
  return out;
}

/** One assistant message holding `text` (used for response texts reported as plain strings). */
export function assistantText(text: string): ChatMessage[] {
  return text ? [{ role: 'assistant', parts: [{ type: 'text', text }] }] : [];
}

export function userText(text: string): ChatMessage[] {
  return text ? [{ role: 'user', parts: [{ type: 'text', text }] }] : [];
}
