// A scripted Anthropic Messages API for driving the real Claude Code CLI offline: it records each request's
// tools, answers the first turn that offers `callTool` with a tool_use of it, and every other turn with text.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  tools: string[];
  /** tool_result blocks of the last user message, as Claude Code sent them. */
  toolResults: unknown[];
}

export async function startFakeAnthropic(callTool: string, input: Record<string, unknown>): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"not scripted"}}');
        return;
      }
      const j = JSON.parse(body) as { model: string; stream?: boolean; tools?: { name: string }[]; messages: { content: unknown }[] };
      if (req.url.includes('count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"input_tokens":10}');
        return;
      }
      const last = j.messages[j.messages.length - 1];
      const toolResults = Array.isArray(last?.content) ? (last.content as { type: string }[]).filter((c) => c.type === 'tool_result') : [];
      const tools = (j.tools ?? []).map((t) => t.name);
      seen.push({ tools, toolResults });
      const use = tools.includes(callTool) && toolResults.length === 0;
      const block = use ? { type: 'tool_use', id: 'toolu_tracemill_01', name: callTool, input } : { type: 'text', text: 'Your agent fails at tool calls.' };
      const stop = use ? 'tool_use' : 'end_turn';
      const usage = { input_tokens: 100, output_tokens: 10 };
      if (!j.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'msg_fake', type: 'message', role: 'assistant', model: j.model, content: [block], stop_reason: stop, stop_sequence: null, usage }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const ev = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
      ev('message_start', { message: { id: 'msg_fake', type: 'message', role: 'assistant', model: j.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
      if (block.type === 'text') {
        ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
        ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: block.text } });
      } else {
        ev('content_block_start', { index: 0, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } });
      }
      ev('content_block_stop', { index: 0 });
      ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 10 } });
      ev('message_stop', {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}
