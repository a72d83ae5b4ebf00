// tracemill's MCP server: the query API as tools (tools.ts); the failure-mode catalogue and the latest report as
// resources.
// Built on the SDK's low-level Server so that the API alone validates arguments: a bad parameter comes back
// as a tool error carrying the API's own message, which names the parameter.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type ApiCaller, toQuery } from './api-caller.js';
import { CATALOGUE_URI, failureModeCatalogue } from './catalogue.js';
import { foldLongText } from './fold.js';
import { TOOLS } from './tools.js';

export const SERVER_NAME = 'tracemill';
const REPORT_URI = 'tracemill://report/latest';

const toolList = TOOLS.map((t) => {
  const { $schema: _drop, ...inputSchema } = z.toJSONSchema(t.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { name: t.name, title: t.title, description: t.description, inputSchema: inputSchema as { type: 'object'; [k: string]: unknown } };
});

function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export function createMcpServer(call: ApiCaller, version: string): Server {
  const server = new Server(
    { name: SERVER_NAME, version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'tracemill collects OpenTelemetry traces of AI agents and finds their failure modes. Start with failure_stats (what fails, how often), ' +
        'then list_failures for evidence and get_trace for the run around a failure. Times are ISO-8601 or durations ago (24h, 7d).',
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: toolList }));

  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const tool = TOOLS.find((t) => t.name === req.params.name);
    if (!tool) return toolError(`unknown tool "${req.params.name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    const { path, pathArgs } = tool.route(args);
    const query = toQuery(Object.fromEntries(Object.entries(args).filter(([k]) => !pathArgs.includes(k))));
    const answer = await call(path, query);
    const body = answer.body as { message?: string; error?: string } | undefined;
    if (answer.status >= 400) {
      return toolError(`${tool.name} failed (HTTP ${answer.status}): ${body?.message ?? body?.error ?? 'no message'}`);
    }
    const { value, folded } = foldLongText(answer.body, `call the HTTP API ${path} for the full text`);
    const note = folded ? `\n(${folded} long texts were folded to 2000 characters.)` : '';
    const summary = tool.summarize(answer.body, args) + note;
    // Some clients (Claude Code) show the model only the structured content, so the summary leads it too;
    // `result` is the API's answer as it is (long texts folded).
    return {
      content: [{ type: 'text', text: summary }],
      structuredContent: { summary, result: value },
    };
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: [
      { uri: CATALOGUE_URI, name: 'failure-modes', title: 'Failure-mode catalogue', description: 'What each failure mode means and how tracemill detects it', mimeType: 'text/markdown' },
      { uri: REPORT_URI, name: 'report-latest', title: 'Latest failure-mode report', description: 'The last 7 days against the 7 before, as Markdown (GET /api/v1/report?from=7d&format=md)', mimeType: 'text/markdown' },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    if (req.params.uri === CATALOGUE_URI) return { contents: [{ uri: CATALOGUE_URI, mimeType: 'text/markdown', text: failureModeCatalogue() }] };
    if (req.params.uri === REPORT_URI) {
      const answer = await call('/api/v1/report', { from: '7d', format: 'md' });
      if (answer.status >= 400) throw new Error(`the report could not be made (HTTP ${answer.status}): ${(answer.body as { message?: string }).message ?? answer.text.slice(0, 300)}`);
      return { contents: [{ uri: REPORT_URI, mimeType: 'text/markdown', text: answer.text }] };
    }
    throw new Error(`unknown resource ${req.params.uri}; the resources are ${CATALOGUE_URI} and ${REPORT_URI}`);
  });

  return server;
}
