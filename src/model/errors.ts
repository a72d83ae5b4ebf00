// Every error tracemill answers with, in one table: its HTTP status, its gRPC code, whether the client may
// retry (then with Retry-After / RetryInfo), and what the message says. The OTLP receivers (HTTP and gRPC),
// the query and admin API and the rejection counters all map an error through `answerFor`; README.md's
// error table is kept equal to this one by tests/errors-table.test.ts. A new error: one row here, one in README.

/** gRPC status codes (google.rpc.Code) used below. */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNIMPLEMENTED: 12,
  UNAUTHENTICATED: 16,
} as const;

export interface ErrorRow {
  http: number;
  grpc: keyof typeof GrpcCode;
  /** Retryable answers carry Retry-After (HTTP) or RetryInfo (gRPC); every other error is final. */
  retryable: boolean;
  /**
   * The message sent: `detail` is the error's own message (always written by tracemill: never engine text,
   * SQL or a secret). `fixed` rows never send the detail (it may hold the engine's words); it is logged.
   */
  message: { detail: true } | { fixed: string };
}

export const ERRORS = {
  invalid: { http: 400, grpc: 'INVALID_ARGUMENT', retryable: false, message: { detail: true } },
  unauthenticated: { http: 401, grpc: 'UNAUTHENTICATED', retryable: false, message: { detail: true } },
  forbidden: { http: 403, grpc: 'PERMISSION_DENIED', retryable: false, message: { detail: true } },
  not_found: { http: 404, grpc: 'NOT_FOUND', retryable: false, message: { detail: true } },
  method_not_allowed: { http: 405, grpc: 'UNIMPLEMENTED', retryable: false, message: { detail: true } },
  too_large: { http: 413, grpc: 'RESOURCE_EXHAUSTED', retryable: false, message: { detail: true } },
  unsupported_media_type: { http: 415, grpc: 'INVALID_ARGUMENT', retryable: false, message: { detail: true } },
  rate_limited: { http: 429, grpc: 'UNAVAILABLE', retryable: true, message: { detail: true } },
  queue_full: { http: 429, grpc: 'UNAVAILABLE', retryable: true, message: { detail: true } },
  store_refused: { http: 500, grpc: 'INTERNAL', retryable: false, message: { fixed: 'the store refused the write' } },
  store_unavailable: { http: 503, grpc: 'UNAVAILABLE', retryable: true, message: { fixed: 'the store is unavailable' } },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/**
 * An error with a code of the table. `publicMessage` replaces the fixed text of a `fixed` row when the cause
 * is tracemill's own (the service is shutting down), so the client still learns why.
 */
export class TracemillError extends Error {
  override name = 'TracemillError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly publicMessage?: string,
  ) {
    super(message);
  }

  /** The HTTP status (fastify and the tests read `statusCode`). */
  get statusCode(): number {
    return ERRORS[this.code].http;
  }
}

/** What to answer an error with. */
export interface Answer {
  code: ErrorCode;
  http: number;
  grpc: number;
  /** Seconds for Retry-After / RetryInfo, on retryable answers only. */
  retryAfter?: number;
  message: string;
  /** The error's own text when the answer leaves it out (a store or unexpected error): for the log only. */
  withheld?: string;
}

/** The code for an HTTP client-error status raised by the web framework itself (unknown route, bad body...). */
function codeOfStatus(status: number): ErrorCode | undefined {
  if (status === 414) return 'invalid';
  return ERROR_CODES.find((c) => ERRORS[c].http === status && !ERRORS[c].retryable);
}

/**
 * The one mapping from an error to its answer. A TracemillError answers as its row says; a framework error
 * with a 4xx status as the row of that status; anything else is the store failing (retryable, engine text
 * withheld).
 */
export function answerFor(err: unknown, retryAfterSeconds: number): Answer {
  let code: ErrorCode = 'store_unavailable';
  const e = err as { message?: unknown; statusCode?: unknown; publicMessage?: unknown };
  if (err instanceof TracemillError) {
    code = err.code;
  } else if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const c = codeOfStatus(e.statusCode);
    if (c) code = c;
  }
  const row: ErrorRow = ERRORS[code];
  const detail = typeof e?.message === 'string' ? e.message : String(err);
  const sendsDetail = 'detail' in row.message;
  let message = sendsDetail ? detail : typeof e?.publicMessage === 'string' ? e.publicMessage : (row.message as { fixed: string }).fixed;
  if (row.retryable) message += `; retry later, in ${retryAfterSeconds} s`;
  return {
    code,
    http: row.http,
    grpc: GrpcCode[row.grpc],
    ...(row.retryable ? { retryAfter: retryAfterSeconds } : {}),
    message,
    ...(sendsDetail ? {} : { withheld: detail }),
  };
}
