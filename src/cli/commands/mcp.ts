import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from '../../config.js';
import { httpCaller } from '../../mcp/api-caller.js';
import { createMcpServer } from '../../mcp/server.js';
import { PACKAGE_VERSION } from '../../paths.js';
import { option } from '../args.js';
import type { Command } from '../command.js';
import { serviceUrl } from '../remote.js';

const USAGE = 'tracemill mcp [--url http://127.0.0.1:4318] [--api-key KEY]   (MCP over stdio; the key may also come from TRACEMILL_API_KEY)';


export const mcpCommand: Command = {
  summary: "MCP server over stdio for coding agents (Claude Code, Codex, Cursor): the query API as tools, answered by the running service.",
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const known = new Set(['--url', '--api-key']);
    for (let i = 0; i < args.length; i++) {
      const name = args[i].split('=')[0];
      if (!known.has(name)) {
        console.error(`tracemill mcp: unknown option "${args[i]}"\nusage: ${USAGE}`);
        return 2;
      }
      if (!args[i].includes('=')) i++;
    }
    const url = option(args, '--url') ?? serviceUrl(loadConfig());
    if (!/^https?:\/\/[^/]+/.test(url)) {
      console.error(`tracemill mcp: --url must be the service's http(s) address, e.g. http://127.0.0.1:4318 (got "${url}")\nusage: ${USAGE}`);
      return 2;
    }
    const server = createMcpServer(httpCaller(url, option(args, '--api-key') ?? process.env.TRACEMILL_API_KEY), PACKAGE_VERSION);
    // stdout carries the protocol: anything for a person goes to stderr.
    console.error(`tracemill mcp: serving over stdio, answering from ${url}`);
    const closed = new Promise<void>((resolve) => {
      server.onclose = () => resolve();
    });
    await server.connect(new StdioServerTransport());
    process.stdin.once('end', () => void server.close());
    await closed;
    return 0;
  },
};
