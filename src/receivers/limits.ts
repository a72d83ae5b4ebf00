// Per-item limits on decoded data, the same for both transports: too many attributes are dropped and
// counted (as OTLP's dropped_attributes_count does), over-long values are cut and flagged — never silently.
import { addDropped } from './otlp/anyvalue.js';
import type { Attributes, LogRecord, Span } from '../model/otlp.js';

export interface ItemLimits {
  /** Attributes kept per span / log record (the rest counted in dropped_attributes_count). */
  maxAttributes: number;
  /** Longest attribute value or log body kept, in characters. */
  maxValueChars: number;
}

export interface LimitOutcome {
  truncated: number;
  dropped: number;
}

/** Lists the keys whose values were cut (`body` for a log body). */
export const TRUNCATED_KEY = 'tracemill.truncated';

function limitAttributes(attrs: Attributes, limits: ItemLimits, cut: string[]): number {
  const values = attrs.values;
  let n = 0;
  let dropped = 0;
  for (const k in values) {
    if (++n > limits.maxAttributes) {
      delete values[k];
      delete attrs.types[k];
      dropped++;
      continue;
    }
    const v = values[k];
    if (v.length > limits.maxValueChars) {
      values[k] = v.slice(0, limits.maxValueChars);
      // A cut array or kvlist is no longer valid OTLP/JSON: keep it as the string it now is.
      delete attrs.types[k];
      cut.push(k);
    }
  }
  return dropped;
}

function flag(attrs: Attributes, cut: string[]): void {
  if (cut.length) attrs.values[TRUNCATED_KEY] = cut.join(',');
}

export function limitSpans(spans: Span[], limits: ItemLimits): LimitOutcome {
  const out: LimitOutcome = { truncated: 0, dropped: 0 };
  for (const s of spans) {
    const cut: string[] = [];
    const dropped = limitAttributes(s.attributes, limits, cut);
    if (dropped) {
      s.droppedAttributesCount = addDropped(s.droppedAttributesCount, dropped);
      out.dropped += dropped;
    }
    if (cut.length) {
      flag(s.attributes, cut);
      out.truncated += cut.length;
    }
  }
  return out;
}

export function limitLogs(logs: LogRecord[], limits: ItemLimits): LimitOutcome {
  const out: LimitOutcome = { truncated: 0, dropped: 0 };
  for (const l of logs) {
    const cut: string[] = [];
    const dropped = limitAttributes(l.attributes, limits, cut);
    if (dropped) {
      l.droppedAttributesCount = addDropped(l.droppedAttributesCount, dropped);
      out.dropped += dropped;
    }
    if (l.body.value.length > limits.maxValueChars) {
      l.body = { value: l.body.value.slice(0, limits.maxValueChars), type: undefined };
      cut.push('body');
    }
    if (cut.length) {
      flag(l.attributes, cut);
      out.truncated += cut.length;
    }
  }
  return out;
}
