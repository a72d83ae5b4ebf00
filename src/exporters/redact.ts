// Secret redaction at export time (the stored data stays as sent). Each match is replaced by
// `[REDACTED:<pattern name>]` and counted per pattern for the manifest. Patterns are written in the regular
// expression syntax JavaScript and ClickHouse's RE2 share (no lookbehind), so the Parquet export can apply the
// same ones in SQL (src/store/read/export.ts). A pattern whose first group is `keep` keeps that group's text
// (the `Bearer ` before a token, the `"password": "` before a value).
import { z } from 'zod';
import type { ChatPart } from '../model/operation.js';
import type { ConvMessage } from './conversation.js';

export interface RedactionPattern {
  name: string;
  source: string;
  ignoreCase?: boolean;
  /** The first capture group is kept. */
  keep?: boolean;
  /** Only in tool-call arguments (passwords there; elsewhere they are often the subject of the conversation). */
  argumentsOnly?: boolean;
}

export const SECRET_PATTERNS: RedactionPattern[] = [
  { name: 'private_key', source: '-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----' },
  { name: 'openai_key', source: '\\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}' },
  { name: 'aws_access_key', source: '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b' },
  { name: 'github_token', source: '\\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})' },
  { name: 'slack_token', source: '\\bxox[abposr]-[A-Za-z0-9-]{10,}' },
  { name: 'bearer_token', source: '(\\b[Bb]earer\\s+)[A-Za-z0-9._~+/-]{12,}=*', keep: true },
  {
    name: 'password',
    source: '("(?:password|passwd|pwd|passphrase|secret|client_secret)"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*',
    ignoreCase: true,
    keep: true,
    argumentsOnly: true,
  },
  { name: 'password', source: '((?:--password|--passwd|\\bpassword|\\bpasswd|\\bPGPASSWORD)[= ])[^\\s"\'&]+', ignoreCase: true, keep: true, argumentsOnly: true },
];

export const PII_PATTERNS: RedactionPattern[] = [
  { name: 'email', source: '\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b' },
  { name: 'phone', source: '\\+?\\(?\\d{1,4}\\)?[ .-]?\\(?\\d{2,4}\\)?[ .-]\\d{3,4}[ .-]\\d{3,4}\\b' },
];

/** A user pattern: `name=regex` (JavaScript/RE2 syntax). */
export const UserPattern = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,40}$/, 'a pattern name is 1-40 of a-z 0-9 _'),
  pattern: z.string().min(1).max(1000),
});

export interface Redactor {
  patterns: RedactionPattern[];
  text(s: string, counts: Map<string, number>, isArguments?: boolean): string;
}

export function compilePattern(p: RedactionPattern): RegExp {
  return new RegExp(p.source, p.ignoreCase ? 'gi' : 'g');
}

export function makeRedactor(patterns: RedactionPattern[]): Redactor {
  const compiled = patterns.map((p) => ({ p, re: compilePattern(p) }));
  return {
    patterns,
    text(s, counts, isArguments = false) {
      let out = s;
      for (const { p, re } of compiled) {
        if (p.argumentsOnly && !isArguments) continue;
        re.lastIndex = 0;
        if (!re.test(out)) continue;
        re.lastIndex = 0;
        out = out.replace(re, (...m: unknown[]) => {
          counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
          return (p.keep ? String(m[1] ?? '') : '') + `[REDACTED:${p.name}]`;
        });
      }
      return out;
    },
  };
}

function part(p: ChatPart, r: Redactor, counts: Map<string, number>): ChatPart {
  switch (p.type) {
    case 'text':
    case 'reasoning':
      return { ...p, text: r.text(p.text, counts) };
    case 'tool_call':
      return { ...p, arguments: r.text(p.arguments, counts, true) };
    case 'tool_result':
      return { ...p, content: r.text(p.content, counts) };
    default:
      return p;
  }
}

/** Redacted copies of the messages (the conversation read from the store is left as it is). */
export function redactMessages(messages: readonly ConvMessage[], r: Redactor, counts: Map<string, number>): ConvMessage[] {
  return messages.map((m) => ({ ...m, parts: m.parts.map((p) => part(p, r, counts)) }));
}
