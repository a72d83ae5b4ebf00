// One export path for every signal and both transports: decode, hand to the sink, report partial success.
// HTTP and gRPC differ only in how they map the outcome and the errors below to status codes.
import { DecodeError, type Decoded, type Rejection, TooManyItemsError, rejectedCount, rejectionMessage } from '../model/otlp.js';
import { TracemillError } from '../model/errors.js';
import type { Encoding, PartialSuccess, RejectedField } from './otlp/responses.js';

export type SignalName = 'traces' | 'logs' | 'metrics';

export interface Signal<T> {
  name: SignalName;
  httpPath: string;
  grpcService: string;
  rejectedField: RejectedField;
  /** What one rejected item is called in messages. */
  noun: string;
  /** `maxItems`: stop with TooManyItemsError past this many items (valid or not). */
  decodeProto(buf: Buffer, maxItems?: number): Decoded<T>;
  decodeJson(doc: unknown, maxItems?: number): Decoded<T>;
}

export interface IngestContext {
  project: string;
  /** Items the receiver itself rejected; limits may add to it (for metrics). */
  rejected: Rejection[];
}

/** Receives decoded items; resolves only when they are committed. `maxItems`: the per-request item limit, applied while decoding. */
export type Sink = (<T>(signal: Signal<T>, items: T[], ctx: IngestContext) => Promise<void>) & { maxItems?: number };

/** The request itself is unusable: 400 / INVALID_ARGUMENT, not retryable. */
export class InvalidRequestError extends TracemillError {
  override name = 'InvalidRequestError';
  constructor(message: string) {
    super('invalid', message);
  }
}

export function decodePayload<T>(signal: Signal<T>, body: Buffer, enc: Encoding, maxItems?: number): Decoded<T> {
  try {
    if (enc === 'protobuf') return signal.decodeProto(body, maxItems);
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new DecodeError(`invalid JSON: ${(e as Error).message}`);
    }
    return signal.decodeJson(doc, maxItems);
  } catch (e) {
    if (e instanceof TooManyItemsError) {
      throw new TracemillError(
        'too_large',
        `more than ${e.limit} ${signal.noun}s in one request (TRACEMILL_MAX_ITEMS_PER_REQUEST); send smaller batches (e.g. OTEL_BSP_MAX_EXPORT_BATCH_SIZE)`,
      );
    }
    if (e instanceof DecodeError || e instanceof RangeError) {
      throw new InvalidRequestError(`cannot decode the ${enc === 'json' ? 'OTLP/JSON' : 'OTLP protobuf'} ${signal.name} request: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Decodes and stores one export request. Resolves with the partial success to report (undefined: full success).
 * Rejects with InvalidRequestError when nothing in the request is usable; store errors pass through.
 *
 * Deliberately not `async`: an async function keeps its parameters and locals (the request body, the decoded
 * items) alive until it returns, that is through the whole wait for the commit. Measured at the maximum rate on
 * the agent mix: the decoded spans of ~64 waiting requests (60 MB of message strings) were held that way.
 * Only the IngestContext outlives the decoding here.
 */
export function runExport<T>(signal: Signal<T>, body: Buffer, enc: Encoding, project: string, sink: Sink): Promise<PartialSuccess | undefined> {
  let ctx: IngestContext;
  let committed: Promise<void>;
  try {
    const decoded = decodePayload(signal, body, enc, sink.maxItems);
    ctx = { project, rejected: decoded.rejected };
    if (decoded.items.length === 0 && decoded.rejected.length > 0) {
      throw new InvalidRequestError(`every ${signal.noun} in the request was rejected: ${rejectionMessage(decoded.rejected)}`);
    }
    committed = decoded.items.length > 0 ? sink(signal, decoded.items, ctx) : Promise.resolve();
  } catch (e) {
    return Promise.reject(e);
  }
  return committed.then(() => partialSuccess(ctx));
}

function partialSuccess(ctx: IngestContext): PartialSuccess | undefined {
  const rejected = rejectedCount(ctx.rejected);
  return rejected === 0 ? undefined : { rejected, message: rejectionMessage(ctx.rejected) };
}
