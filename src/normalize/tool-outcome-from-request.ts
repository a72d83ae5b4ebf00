// A tool operation that carries no outcome at all (no result, no status, no error): Google ADK ends the span
// of a tool that threw without setting any attribute, and the error exists only in what it sends the model
// next (a Gemini functionResponse with `error`, see messages.ts). The call is found in the output of the model
// call that asked for it, when that call is the tool span's parent (as in ADK); its result in the next model
// request of the trace that carries the conversation so far: right after the asking call's own input comes
// its output, then the results of its calls. By call id when the call has one, else by position (the k-th
// call of that tool in the output answers to the k-th result of that tool), and only when the request
// repeats that output exactly: no guess.
import type { ChatMessage, ChatPart, Operation } from '../model/operation.js';
import { canonical } from './tool-from-request.js';
import { cmpNanos } from './values.js';

type Call = Extract<ChatPart, { type: 'tool_call' }>;
type Result = Extract<ChatPart, { type: 'tool_result' }>;

const key = (o: Operation, spanId: string) => o.traceId + '/' + spanId;

function callsOf(messages: ChatMessage[]): Call[] {
  return messages.flatMap((m) => m.parts.filter((p): p is Call => p.type === 'tool_call'));
}

function sameCalls(a: Call[], b: Call[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && canonical(c.arguments) === canonical(b[i].arguments));
}

/** The results `next` carries for the calls `asker` made, when `next` extends `asker`'s conversation. */
function resultsAfter(asker: Operation, next: Operation): Result[] | undefined {
  const at = asker.inputMessages.length;
  const echoed = next.inputMessages[at];
  if (!echoed || echoed.role !== 'assistant' || !sameCalls(callsOf([echoed]), callsOf(asker.outputMessages))) return undefined;
  const out: Result[] = [];
  for (const m of next.inputMessages.slice(at + 1)) {
    if (m.role === 'assistant') break;
    for (const p of m.parts) if (p.type === 'tool_result') out.push(p);
  }
  return out;
}

/** The error text of a result: the `error` field of a JSON object (the Gemini convention), else the whole text. */
function errorText(content: string): string {
  try {
    const v = JSON.parse(content) as unknown;
    if (v && typeof v === 'object' && 'error' in v) {
      const e = (v as { error: unknown }).error;
      return typeof e === 'string' ? e : JSON.stringify(e);
    }
  } catch {
    // not JSON: the text itself
  }
  return content;
}

export function toolOutcomesFromRequests(ops: Operation[]): void {
  const bare = ops.filter((o) => o.kind === 'tool' && o.toolName && o.parentSpanId && !o.toolResult && o.status === 'unset' && !o.errorMessage && !o.errorType);
  if (bare.length === 0) return;
  const llms = ops.filter((o) => o.kind === 'llm').sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  const llmById = new Map(llms.map((o) => [key(o, o.spanId), o]));
  const toolsByParent = new Map<string, Operation[]>();
  for (const o of ops) {
    if (o.kind !== 'tool' || !o.parentSpanId) continue;
    const k = key(o, o.parentSpanId) + '/' + o.toolName;
    const list = toolsByParent.get(k);
    if (list) list.push(o);
    else toolsByParent.set(k, [o]);
  }
  for (const tool of bare) {
    const asker = llmById.get(key(tool, tool.parentSpanId));
    if (!asker) continue;
    const calls = callsOf(asker.outputMessages);
    const named = calls.filter((c) => c.name === tool.toolName);
    // Which of the asker's calls this is: by id, else by its rank among the asker's operations of this tool.
    let call = tool.toolCallId ? named.find((c) => c.id === tool.toolCallId) : undefined;
    if (!call) {
      const siblings = [...(toolsByParent.get(key(tool, tool.parentSpanId) + '/' + tool.toolName) ?? [])].sort((a, b) => cmpNanos(a.startTimeUnixNano, b.startTimeUnixNano));
      if (siblings.length !== named.length) continue;
      call = named[siblings.indexOf(tool)];
    }
    if (!call) continue;
    const c = call;
    const resultIn = (next: Operation): Result | undefined => {
      const byId = c.id ? next.inputMessages.flatMap((m) => m.parts).find((p): p is Result => p.type === 'tool_result' && p.id === c.id) : undefined;
      if (byId) return byId;
      const results = resultsAfter(asker, next);
      if (!results || results.length !== calls.length) return undefined;
      return results.filter((r, i) => (r.name ?? calls[i].name) === tool.toolName)[named.indexOf(c)];
    };
    // The first later model call of the trace that carries it (in a trace of several agents, the next model
    // call may be another agent's).
    let result: Result | undefined;
    for (const o of llms) {
      if (o === asker || o.traceId !== tool.traceId || cmpNanos(o.startTimeUnixNano, tool.startTimeUnixNano) < 0) continue;
      result = resultIn(o);
      if (result) break;
    }
    if (!result) continue;
    if (!tool.toolArguments) tool.toolArguments = call.arguments;
    if (!tool.toolCallId && call.id) tool.toolCallId = call.id;
    tool.toolResult = result.content;
    if (result.isError) {
      tool.status = 'error';
      tool.errorMessage = errorText(result.content);
    }
  }
}
