import type { Operation } from '../../model/operation.js';
import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { parseArguments } from './json.js';
import { validateJsonSchema } from './json-schema.js';
import { andMore, parametersSchema, requestedToolCalls } from './tool-calls.js';
import { excerpt } from './text.js';

/**
 * Checked where the model produced the call (the LLM operation's output), with the schema that call
 * saw. Tool operations are not checked: their arguments may legitimately be plain text in some
 * dialects, and the same call would be counted twice.
 */
export const invalidToolArguments: SpanDetector = {
  id: 'invalid-tool-arguments',
  mode: 'invalid_tool_arguments',
  scope: 'span',
  severity: 'high',
  kinds: ['llm'],
  description: 'The model called a tool with arguments that are not JSON or that violate the tool\'s declared JSON schema.',
  signal:
    'A tool_call part in an LLM call\'s output whose arguments fail JSON.parse, or fail the declared parameters schema (type, required, properties, enum, const, items, additionalProperties:false, anyOf/oneOf/allOf).',
  detect(op, out) {
    const calls = requestedToolCalls(op);
    if (calls.length === 0) return;
    let first: { name: string; evidence: string } | null = null;
    let more = 0;
    for (const call of calls) {
      const evidence = problem(op, call.name, call.arguments);
      if (evidence === null) continue;
      if (first === null) first = { name: call.name, evidence };
      else more++;
    }
    if (first) out.push(makeFailure(op, 'invalid_tool_arguments', 'high', excerpt(first.evidence, 280) + andMore(more), 'span', first.name));
  },
};

function problem(op: Operation, name: string, args: string): string | null {
  const parsed = parseArguments(args);
  if (parsed.ok === null) return null;
  if (parsed.ok === false) return `${name}: arguments are not JSON: ${args}`;
  const def = op.tools.find((t) => t.name === name);
  if (!def) return null; // undeclared tools are unknown_tool's business
  const schema = parametersSchema(def);
  if (schema === undefined || schema === null) return null;
  const issues = validateJsonSchema(schema, parsed.value);
  if (issues.length === 0) return null;
  const what = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return `${name}: ${what} in ${args}`;
}
