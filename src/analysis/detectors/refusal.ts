import type { SpanDetector } from './types.js';
import { makeFailure } from './failure.js';
import { refusalSignal } from './signals.js';
import { assistantText, excerpt } from './text.js';
import { requestedToolCalls } from './tool-calls.js';

/** Longer answers that open with an apology usually go on to help; only short ones are refusals. */
const SHORT_ANSWER = 400;

const APOLOGIES = ["i'm sorry, but ", 'i am sorry, but ', "i'm sorry, ", 'i am sorry, ', 'sorry, but ', 'sorry, ', 'unfortunately, '];
const SUBJECTS = ["i can't ", 'i cannot ', 'i can not ', "i won't ", 'i will not ', "i'm unable to ", 'i am unable to ', "i'm not able to ", 'i am not able to '];
// Objects that make it a refusal; "i can't help but" and "i cannot find" are deliberately not here.
const VERBS = ['help with', 'help you with', 'assist with', 'assist you with', 'comply', 'fulfill', 'fulfil', 'engage in', 'provide assistance', 'support that request'];

/** The opening of a short answer, if it is a refusal phrase. Exported for tests. */
export function refusalPhrase(text: string): string | null {
  const t = text.trim();
  if (t === '' || t.length > SHORT_ANSWER) return null;
  let s = t.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  for (const a of APOLOGIES) if (s.startsWith(a)) {
    s = s.slice(a.length);
    break;
  }
  for (const subject of SUBJECTS) {
    if (!s.startsWith(subject)) continue;
    const rest = s.slice(subject.length);
    return VERBS.some((v) => rest.startsWith(v)) ? t : null;
  }
  return null;
}

export const refusal: SpanDetector = {
  id: 'refusal',
  mode: 'refusal',
  scope: 'span',
  severity: 'medium',
  kinds: ['llm'],
  description: 'The model declined to answer, or its output was filtered.',
  signal:
    'LLM operation whose finish reason is content_filter / refusal / SAFETY / RECITATION / BLOCKLIST / PROHIBITED_CONTENT / SPII, or whose error is a content-filter rejection (severity medium); or, at low severity, a short answer (<= 400 chars, no tool call) that opens with a refusal phrase ("I can\'t help with", "I\'m sorry, but I cannot assist with", ...).',
  detect(op, out) {
    const signal = refusalSignal(op);
    const text = assistantText(op.outputMessages);
    if (signal !== null) {
      out.push(makeFailure(op, 'refusal', 'medium', `${excerpt(signal, 100)}${text ? ': ' + excerpt(text, 190) : ''}`, 'span'));
      return;
    }
    if (text === '' || requestedToolCalls(op).length > 0) return;
    const phrase = refusalPhrase(text);
    if (phrase !== null) out.push(makeFailure(op, 'refusal', 'low', excerpt(phrase), 'span'));
  },
};
