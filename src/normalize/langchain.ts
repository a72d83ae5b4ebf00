// LangChain's serialized messages, as instrumentations record them in span attributes. Shared by the
// dialects that trace LangChain (OpenInference, OpenLLMetry): a tool's output is its ToolMessage
// (`{"lc":1, "type":"constructor", "id":[..., "ToolMessage"], "kwargs":{content, tool_call_id, name, status}}`),
// sometimes wrapped as `{"output": ...}`.
import { isObj, parseJsonLoose, toText } from './values.js';

export interface LangChainToolMessage {
  content: string;
  toolCallId: string;
  name: string;
  /** LangChain marks a tool that threw (and was handled) with status "error". */
  error: boolean;
}

export function langChainToolMessage(raw: string): LangChainToolMessage | null {
  if (!raw.includes('ToolMessage')) return null;
  const v = parseJsonLoose(raw);
  const msg = isObj(v) && isObj(v.output) ? v.output : v;
  if (!isObj(msg) || !Array.isArray(msg.id) || !msg.id.includes('ToolMessage') || !isObj(msg.kwargs)) return null;
  const kw = msg.kwargs;
  return {
    content: toText(kw.content),
    toolCallId: typeof kw.tool_call_id === 'string' ? kw.tool_call_id : '',
    name: typeof kw.name === 'string' ? kw.name : '',
    error: kw.status === 'error',
  };
}

/** Class names LangChain's tool wrappers report instead of the tool's own name. */
export const LANGCHAIN_TOOL_CLASSES = new Set(['DynamicStructuredTool', 'DynamicTool', 'StructuredTool', 'Tool']);
