// MCP over Streamable HTTP at /mcp, stateless: every POST builds a server whose tools call the query API
// in-process with the caller's own credentials (the auth hook already required the read scope for /mcp),
// so an MCP client sees exactly what its key may read over HTTP.
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiCaller } from '../mcp/api-caller.js';
import { createMcpServer } from '../mcp/server.js';
import { PACKAGE_VERSION } from '../paths.js';

function injectCaller(app: FastifyInstance, req: FastifyRequest): ApiCaller {
  // The caller's host too: answers that link back to the API (a report's trace links) name the address it used.
  const headers: Record<string, string> = {};
  for (const h of ['authorization', 'x-api-key', 'host'] as const) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  return async (path, query) => {
    const res = await app.inject({ method: 'GET', url: path, query, headers, remoteAddress: req.ip });
    let body: unknown;
    try {
      body = res.json();
    } catch {
      body = { error: 'bad_response', message: res.body.slice(0, 500) };
    }
    return { status: res.statusCode, body, text: res.body };
  };
}

export async function mcpRoutes(app: FastifyInstance): Promise<void> {
  app.post(
    '/mcp',
    {
      schema: {
        summary: 'MCP server (Streamable HTTP, stateless)',
        description: 'JSON-RPC 2.0 requests of the Model Context Protocol: the query API as tools (failure_stats, list_failures, tool_stats, model_stats, list_traces, get_trace, get_session) and the failure-mode catalogue as a resource. Read scope. See README, "MCP".',
        tags: ['mcp'],
      },
    },
    async (req, reply) => {
    const server = createMcpServer(injectCaller(app, req), PACKAGE_VERSION);
    // Stateless: no session id, and plain JSON answers (no SSE stream to keep open).
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, req.body);
    },
  );
  // Stateless servers have no stream to resume and no session to end.
  const notAllowed = async (_req: FastifyRequest, reply: import('fastify').FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'tracemill serves MCP statelessly: send JSON-RPC requests with POST /mcp' }, id: null });
  app.get('/mcp', { schema: { hide: true } }, notAllowed);
  app.delete('/mcp', { schema: { hide: true } }, notAllowed);
}
