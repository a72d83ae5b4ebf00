// Bounded text helpers. Detectors run on the ingest path, so no scan may grow with the size of a
// message: long texts are looked at through their first and last few KB only.
import type { ChatMessage } from '../../model/operation.js';

/** How much of the start and of the end of a long text a detector looks at. */
export const SCAN_HEAD = 4096;
export const SCAN_TAIL = 4096;
export const EVIDENCE_MAX = 300;

/**
 * The part of `text` worth scanning: the whole text when short, otherwise its head and tail joined by
 * a NUL, which no marker contains, so a match can never straddle the gap.
 */
export function scanWindow(text: string, head = SCAN_HEAD, tail = SCAN_TAIL): string {
  if (text.length <= head + tail) return text;
  return text.slice(0, head) + '\u0000' + text.slice(text.length - tail);
}

/** One line, at most `max` characters, with an ellipsis when cut. Only ever shortens its input. */
export function excerpt(text: string, max = EVIDENCE_MAX): string {
  const window = text.length > max * 4 ? text.slice(0, max * 4) : text;
  // eslint-disable-next-line no-control-regex -- NUL: the gap scanWindow leaves
  const flat = window.replace(/[\s\u0000]+/g, ' ').trim();
  if (flat.length <= max && window.length === text.length) return flat;
  return flat.slice(0, Math.max(0, max - 1)).trimEnd() + '…';
}

/** An excerpt centred on `at` (a match position), so evidence shows the match and a little context. */
export function excerptAround(text: string, at: number, before = 60, max = EVIDENCE_MAX): string {
  const start = Math.max(0, at - before);
  const body = excerpt(text.slice(start, start + max * 2), start > 0 ? max - 1 : max);
  return start > 0 ? '…' + body : body;
}

/** Assistant text of some messages (text parts only: reasoning is not visible output). */
export function assistantText(messages: readonly ChatMessage[]): string {
  let out = '';
  for (const m of messages) {
    if (m.role !== 'assistant') continue;
    for (const p of m.parts) {
      if (p.type !== 'text' || p.text === '') continue;
      out = out === '' ? p.text : out + '\n' + p.text;
      // Stop collecting once far more than any detector scans: the tail may then be missed, which
      // only makes detectors more conservative.
      if (out.length > 64 * 1024) return out;
    }
  }
  return out;
}

/** Joins non-empty pieces with ': ', for evidence like "TimeoutError: read timed out". */
export function joinNonEmpty(...pieces: string[]): string {
  return pieces.filter((p) => p !== '').join(': ');
}
