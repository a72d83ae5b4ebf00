// The normalized agent model: one Operation per meaningful step, whatever dialect produced it.

export type OperationKind = 'agent' | 'subagent' | 'llm' | 'tool' | 'compaction' | 'handoff' | 'retrieval' | 'guardrail' | 'other';

export type ChatPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  | { type: 'tool_result'; id: string; name?: string; content: string; isError?: boolean }
  | { type: 'media'; mimeType: string; uri?: string; data?: string };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  parts: ChatPart[];
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments, when the dialect declares it. */
  parameters?: unknown;
}

export interface Compaction {
  trigger: string; // 'auto' | 'manual' | 'unknown' ...
  tokensBefore: number | null;
  tokensAfter: number | null;
  /**
   * True when trigger/tokens were inferred (e.g. from a `query_source=compact` LLM request and the calls
   * around it) rather than reported by the agent; a reported record always wins over an estimated one.
   */
  estimated: boolean;
}

export interface Operation {
  kind: OperationKind;
  /** Which dialect module (or user rule) produced it. */
  dialect: string;
  /** Where it came from: a span, a log event, or both merged. */
  source: 'span' | 'log' | 'span+log';
  traceId: string;
  /** The span's id; for log-only operations a stable id derived from the event (see normalize/ids.ts). */
  spanId: string;
  parentSpanId: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  serviceName: string;

  agentName: string;
  agentId: string;
  parentAgentId: string;
  /** 0 for the main agent, 1 for a subagent it spawned, ... */
  depth: number;
  sessionId: string;
  userId: string;

  requestModel: string;
  responseModel: string;
  provider: string;
  /** Prompt tokens INCLUDING cache reads/writes (the semconv convention; Anthropic-raw dialects are converted). */
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  finishReason: string;

  toolName: string;
  toolCallId: string;
  /** Tool arguments as sent (JSON text when the dialect has JSON). */
  toolArguments: string;
  toolResult: string;

  status: 'ok' | 'error' | 'unset';
  errorType: string;
  errorMessage: string;

  inputMessages: ChatMessage[];
  outputMessages: ChatMessage[];
  tools: ToolDefinition[];
  compaction: Compaction | null;
  /** Correlation keys used to merge spans with log events (request id, tool_use id, prompt id ...). */
  requestId: string;
}

export function emptyOperation(init: Partial<Operation> & Pick<Operation, 'kind' | 'dialect'>): Operation {
  return {
    source: 'span',
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    serviceName: '',
    agentName: '',
    agentId: '',
    parentAgentId: '',
    depth: 0,
    sessionId: '',
    userId: '',
    requestModel: '',
    responseModel: '',
    provider: '',
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    costUsd: null,
    finishReason: '',
    toolName: '',
    toolCallId: '',
    toolArguments: '',
    toolResult: '',
    status: 'unset',
    errorType: '',
    errorMessage: '',
    inputMessages: [],
    outputMessages: [],
    tools: [],
    compaction: null,
    requestId: '',
    ...init,
  };
}
