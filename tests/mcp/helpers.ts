// Small typed wrappers for the MCP tests.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Test } from 'tap';

export type TestLike = Test;

export interface ToolResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  // { summary, result }: the text summary and the API's JSON answer, shaped per tool.
  structuredContent?: any;
}

export async function callTool(client: Client, params: { name: string; arguments?: Record<string, unknown> }): Promise<ToolResult> {
  return (await client.callTool(params)) as unknown as ToolResult;
}
