// Export*ServiceResponse and google.rpc.Status, in both encodings.
import { Writer } from './wire.js';

export type Encoding = 'protobuf' | 'json';

export interface PartialSuccess {
  rejected: number;
  message: string;
}

/** The rejected-count field name per signal, as OTLP/JSON spells it. */
export type RejectedField = 'rejectedSpans' | 'rejectedLogRecords' | 'rejectedDataPoints';

// The spec caps responses (4 MiB recommended); error messages are the only unbounded part.
const MAX_MESSAGE = 16 * 1024;

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? message.slice(0, MAX_MESSAGE) + '…' : message;
}

/** Full success leaves partial_success unset: a 0-byte protobuf body or `{}`. */
export function exportResponse(enc: Encoding, field: RejectedField, partial?: PartialSuccess): Buffer | string {
  if (!partial || (partial.rejected === 0 && !partial.message)) return enc === 'json' ? '{}' : Buffer.alloc(0);
  const message = clip(partial.message);
  if (enc === 'json') return JSON.stringify({ partialSuccess: { [field]: String(partial.rejected), errorMessage: message } });
  return new Writer()
    .messageField(1, (w) => {
      if (partial.rejected) w.varintField(1, partial.rejected);
      if (message) w.stringField(2, message);
    })
    .finish();
}

/** google.rpc.Status { int32 code = 1; string message = 2; } */
export function statusBody(enc: Encoding, grpcCode: number, message: string): Buffer | string {
  message = clip(message);
  if (enc === 'json') return JSON.stringify({ code: grpcCode, message });
  const w = new Writer();
  if (grpcCode) w.varintField(1, grpcCode);
  return w.stringField(2, message).finish();
}

/**
 * google.rpc.Status carrying a google.rpc.RetryInfo detail: what OTLP/gRPC clients read from the
 * `grpc-status-details-bin` trailer to learn how long to wait (spec: throttling = UNAVAILABLE + RetryInfo).
 */
export function retryStatusDetails(grpcCode: number, message: string, retryAfterSeconds: number): Buffer {
  const retryInfo = new Writer().messageField(1, (d) => d.varintField(1, retryAfterSeconds)).finish(); // RetryInfo{retry_delay: Duration{seconds}}
  return new Writer()
    .varintField(1, grpcCode)
    .stringField(2, clip(message))
    .messageField(3, (any) => any.stringField(1, 'type.googleapis.com/google.rpc.RetryInfo').bytesField(2, retryInfo))
    .finish();
}

