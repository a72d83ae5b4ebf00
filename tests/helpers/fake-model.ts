// A local model server for the agent-framework tests: OpenAI Chat Completions and the Responses API, plain
// JSON or server-sent events, and the Gemini API (generateContent, streamGenerateContent). It plays one
// script, the same for every framework: the turn is chosen by how many tool results the request carries, so
// a framework's retries or extra requests cannot shift it.
//   turn 0: get_weather {"city":"Paris"}        (the tool fails this time)
//   turn 1: get_weather {"city":"Paris"}        (succeeds)
//   turn 2-4: search_docs {"query":"umbrella"}   (the same arguments three times)
//   turn 5: the answer
// Every response reports 100 input and 10 output tokens.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MODEL = 'gpt-fake-1';
export const ANSWER = 'Paris is rainy today; the docs say to take an umbrella.';
export const USAGE = { input: 100, output: 10 };

interface Call {
  id: string;
  name: string;
  arguments: string;
}

/** The model's move for a request that already carries `results` tool results. */
export function scriptedTurn(results: number): Call | null {
  if (results <= 1) return { id: `call_weather_${results + 1}`, name: 'get_weather', arguments: '{"city":"Paris"}' };
  if (results <= 4) return { id: `call_docs_${results - 1}`, name: 'search_docs', arguments: '{"query":"umbrella"}' };
  return null;
}

export interface FakeModel {
  /** Base URL with /v1, for OpenAI clients. */
  url: string;
  /** Base URL without a path, for Gemini clients (@google/genai adds /v1beta/models/<model>:generateContent). */
  origin: string;
  /** Each request: path, and the tool results it carried. */
  requests: { path: string; results: number; stream: boolean }[];
  close(): Promise<void>;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Tool results in a Chat Completions, Responses or Gemini request body. */
function countResults(body: Record<string, unknown>): number {
  if (Array.isArray(body.messages)) return body.messages.filter((m) => isObj(m) && m.role === 'tool').length;
  if (Array.isArray(body.input)) return body.input.filter((m) => isObj(m) && m.type === 'function_call_output').length;
  if (Array.isArray(body.contents)) {
    return body.contents.reduce<number>((n, c) => n + (isObj(c) && Array.isArray(c.parts) ? c.parts.filter((p) => isObj(p) && isObj(p.functionResponse)).length : 0), 0);
  }
  return 0;
}

let seq = 0;

function chat(call: Call | null, stream: boolean, res: ServerResponse): void {
  const id = `chatcmpl-${++seq}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output };
  const finish = call ? 'tool_calls' : 'stop';
  const toolCalls = call ? [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] : undefined;
  if (!stream) {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model: MODEL,
        choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: call ? null : ANSWER, tool_calls: toolCalls } }],
        usage,
      }),
    );
    return;
  }
  res.setHeader('content-type', 'text/event-stream');
  const chunk = (delta: unknown, finishReason: string | null, withUsage = false) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: MODEL, choices: delta === null ? [] : [{ index: 0, delta, finish_reason: finishReason }], ...(withUsage ? { usage } : {}) })}\n\n`);
  chunk(call ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: ANSWER }, null);
  chunk({}, finish);
  chunk(null, null, true);
  res.end('data: [DONE]\n\n');
}

function responses(call: Call | null, stream: boolean, res: ServerResponse): void {
  const id = `resp_${++seq}`;
  const output = call
    ? [{ type: 'function_call', id: `fc_${seq}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' }]
    : [{ type: 'message', id: `msg_${seq}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER, annotations: [] }] }];
  const body = {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: MODEL,
    output,
    usage: { input_tokens: USAGE.input, output_tokens: USAGE.output, total_tokens: USAGE.input + USAGE.output, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
  };
  if (!stream) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
    return;
  }
  res.setHeader('content-type', 'text/event-stream');
  let n = 0;
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n++, ...data })}\n\n`);
  event('response.created', { response: { ...body, status: 'in_progress', output: [] } });
  output.forEach((item, i) => event('response.output_item.done', { output_index: i, item }));
  event('response.completed', { response: body });
  res.end();
}

/**
 * The Gemini API's answer, for the model named in the path. Like the Gemini API (not Vertex AI), the function
 * call carries no id: the client assigns one.
 */
function gemini(call: Call | null, model: string, stream: boolean, res: ServerResponse): void {
  const part = call ? { functionCall: { name: call.name, args: JSON.parse(call.arguments) as unknown } } : { text: ANSWER };
  const body = {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, totalTokenCount: USAGE.input + USAGE.output },
    modelVersion: model,
    responseId: `gemini_${++seq}`,
  };
  if (!stream) {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
    return;
  }
  res.setHeader('content-type', 'text/event-stream');
  res.end(`data: ${JSON.stringify(body)}\n\n`);
}

export async function startFakeModel(): Promise<FakeModel> {
  const requests: FakeModel['requests'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // not JSON: answered below as a 400
      }
      const path = (req.url ?? '').split('?')[0];
      const results = countResults(body);
      const stream = body.stream === true || path.endsWith(':streamGenerateContent');
      requests.push({ path, results, stream });
      const call = scriptedTurn(results);
      if (path.endsWith('/chat/completions')) return chat(call, stream, res);
      if (path.endsWith('/responses')) return responses(call, stream, res);
      const g = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
      if (g) return gemini(call, g[1], g[2] === 'streamGenerateContent', res);
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: `the fake model has no ${path}` } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
