// Combining two records of the same operation, and folding a batch's partial records into the operations
// they complete. Used within a batch (a tool span + its execution child; an api_request + its
// assistant_response; per-message events of one span) and across sources (span + log event, merge.ts).
import { clearPartial, partialInfo } from './base.js';
import { type Compaction, FILL_NUMBER_FIELDS, FILL_TEXT_FIELDS, type Operation } from '../model/operation.js';
import { cmpNanos, nonZero } from './values.js';
import { normalizeWork } from './work.js';

const STATUS_RANK = { unset: 0, ok: 1, error: 2 } as const;

/**
 * Completes `into` with what `from` knows. `into` keeps its identity and every field it already has, except:
 * the worse status wins (an error reported by either side is an error), times widen to cover both, the
 * longer tool arguments/result win (a span's gated subset vs the log's full input), a reported compaction
 * replaces an estimated one, and messages are appended when `appendMessages` (per-message events of one call).
 */
export function combine(into: Operation, from: Operation, appendMessages: boolean): void {
  for (const f of FILL_TEXT_FIELDS) if (!into[f] && from[f]) into[f] = from[f];
  // A span's place in the tree is authoritative (an empty parent means a root); a log's is only where it was emitted.
  if (into.source === 'log') {
    if (!into.traceId) into.traceId = from.traceId;
    if (!into.parentSpanId) into.parentSpanId = from.parentSpanId;
  }
  for (const f of FILL_NUMBER_FIELDS) if (into[f] === null && from[f] !== null) into[f] = from[f];
  if (into.kind === 'agent' && from.kind === 'subagent') into.kind = 'subagent';
  if (into.kind === 'other' && from.kind !== 'other') into.kind = from.kind;
  if (STATUS_RANK[from.status] > STATUS_RANK[into.status]) {
    into.status = from.status;
    if (from.status === 'error') {
      into.errorType = from.errorType || into.errorType;
      into.errorMessage = from.errorMessage || into.errorMessage;
    }
  } else if (into.status === 'error' && from.status === 'error') {
    if (!into.errorType) into.errorType = from.errorType;
    if (!into.errorMessage) into.errorMessage = from.errorMessage;
  }
  if (nonZero(from.startTimeUnixNano) && (!nonZero(into.startTimeUnixNano) || cmpNanos(from.startTimeUnixNano, into.startTimeUnixNano) < 0)) {
    into.startTimeUnixNano = from.startTimeUnixNano;
  }
  if (nonZero(from.endTimeUnixNano) && (!nonZero(into.endTimeUnixNano) || cmpNanos(from.endTimeUnixNano, into.endTimeUnixNano) > 0)) {
    into.endTimeUnixNano = from.endTimeUnixNano;
  }
  if (from.toolArguments.length > into.toolArguments.length) into.toolArguments = from.toolArguments;
  if (from.toolResult.length > into.toolResult.length) into.toolResult = from.toolResult;
  if (from.inputMessages.length && (appendMessages || !into.inputMessages.length)) into.inputMessages = [...into.inputMessages, ...from.inputMessages];
  if (from.outputMessages.length && (appendMessages || !into.outputMessages.length)) into.outputMessages = [...into.outputMessages, ...from.outputMessages];
  if (!into.tools.length && from.tools.length) into.tools = from.tools;
  into.compaction = combineCompaction(into.compaction, from.compaction);
  if (from.depth > into.depth) into.depth = from.depth;
  if (into.source !== from.source) into.source = 'span+log';
}

function combineCompaction(a: Compaction | null, b: Compaction | null): Compaction | null {
  if (!a) return b;
  if (!b) return a;
  // Reported values beat estimated ones; estimates only fill what the report lacks.
  const [main, other] = a.estimated && !b.estimated ? [b, a] : [a, b];
  return {
    trigger: main.trigger && main.trigger !== 'unknown' ? main.trigger : other.trigger || main.trigger,
    tokensBefore: main.tokensBefore ?? other.tokensBefore,
    tokensAfter: main.tokensAfter ?? other.tokensAfter,
    estimated: a.estimated && b.estimated,
  };
}

export function identityKey(op: Operation): string {
  return op.traceId + '/' + op.spanId + '/' + op.kind;
}

/** How far apart two events may be and still be the same call when no id links them. */
const NEAREST_WINDOW_NS = 5_000_000_000n;

/**
 * One record per operation: records with the same identity are combined, partial records are folded into
 * the operation they complete (or stand alone when it is not in the batch, unless they ask to be dropped).
 * Keeps the order of first appearance.
 */
export function coalesce(ops: Operation[]): Operation[] {
  const out: Operation[] = [];
  const byIdentity = new Map<string, Operation>();
  const partials: Operation[] = [];
  for (const op of ops) {
    if (partialInfo(op)) {
      partials.push(op);
      continue;
    }
    const k = identityKey(op);
    const prev = byIdentity.get(k);
    if (prev) combine(prev, op, true);
    else {
      byIdentity.set(k, op);
      out.push(op);
    }
  }
  if (partials.length === 0) return out;
  let byRequest: Map<string, Operation> | undefined;
  let byToolCall: Map<string, Operation> | undefined;
  let nearest: NearestIndex | undefined;
  // Partials left standing alone: never a host for a later partial by nearness (two lone completion
  // records a second apart are two calls, not one).
  const alone = new Set<Operation>();
  for (const p of partials) {
    const info = partialInfo(p)!;
    let host: Operation | undefined;
    switch (info.by) {
      case 'identity':
        host = byIdentity.get(identityKey(p));
        break;
      case 'requestId':
        byRequest ??= index(out, (o) => (o.requestId ? o.kind + '/' + o.sessionId + '/' + o.requestId : ''));
        host = byRequest.get(p.kind + '/' + p.sessionId + '/' + p.requestId);
        break;
      case 'toolCallId':
        byToolCall ??= index(out, (o) => (o.toolCallId ? o.kind + '/' + o.sessionId + '/' + o.toolCallId : ''));
        host = byToolCall.get(p.kind + '/' + p.sessionId + '/' + p.toolCallId);
        break;
      case 'nearest':
        nearest ??= new NearestIndex(out.filter((o) => !alone.has(o)));
        host = nearest.find(p);
        break;
    }
    clearPartial(p);
    if (host) combine(host, p, true);
    else if (!info.dropIfAlone) {
      // Stands alone; later partials of the same identity fold into it.
      const k = identityKey(p);
      const prev = byIdentity.get(k);
      if (prev) combine(prev, p, true);
      else {
        byIdentity.set(k, p);
        out.push(p);
        alone.add(p);
      }
    }
  }
  return out;
}

interface Timed {
  op: Operation;
  end: bigint;
  /** Position in the output: among equally near candidates the first one wins. */
  index: number;
}

/**
 * The operation of the same kind and session whose end is nearest a partial record's end (within
 * NEAREST_WINDOW_NS), by binary search over end times instead of a scan of every operation per record:
 * Gemini CLI sends one such record per model call, so a long session would otherwise cost its square.
 */
class NearestIndex {
  private readonly lists = new Map<string, Timed[]>();

  constructor(ops: Operation[]) {
    ops.forEach((o, i) => this.push(o, i));
    for (const l of this.lists.values()) l.sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : a.index - b.index));
  }

  private static key(o: Operation): string {
    return o.kind + '\u0000' + o.sessionId;
  }

  private static end(o: Operation): bigint | null {
    try {
      return BigInt(o.endTimeUnixNano);
    } catch {
      return null;
    }
  }

  private push(o: Operation, index: number): Timed[] | undefined {
    const end = NearestIndex.end(o);
    if (end === null) return undefined;
    const k = NearestIndex.key(o);
    let l = this.lists.get(k);
    if (!l) this.lists.set(k, (l = []));
    l.push({ op: o, end, index });
    return l;
  }

  find(p: Operation): Operation | undefined {
    const end = NearestIndex.end(p);
    const l = this.lists.get(NearestIndex.key(p));
    if (end === null || !l) return undefined;
    const at = lowerBound(l, end, -1);
    let best: Timed | undefined;
    let bestD = 0n;
    const consider = (c: Timed): boolean => {
      normalizeWork.steps++;
      const d = c.end > end ? c.end - end : end - c.end;
      if (d > NEAREST_WINDOW_NS || (best && d > bestD)) return false; // sorted: farther ones follow
      if (!best || d < bestD || c.index < best.index) {
        best = c;
        bestD = d;
      }
      return true;
    };
    for (let i = at - 1; i >= 0 && consider(l[i]); i--);
    for (let i = at; i < l.length && consider(l[i]); i++);
    return best?.op;
  }
}

/** First position whose (end, index) is not below the given one. */
function lowerBound(l: Timed[], end: bigint, index: number): number {
  let lo = 0;
  let hi = l.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = l[mid];
    if (m.end < end || (m.end === end && m.index < index)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function index(ops: Operation[], key: (o: Operation) => string): Map<string, Operation> {
  const m = new Map<string, Operation>();
  for (const o of ops) {
    const k = key(o);
    if (k && !m.has(k)) m.set(k, o);
  }
  return m;
}
