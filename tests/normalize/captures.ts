// Real OTLP captures vendored under fixtures/<cli>-<version>/: the protobuf request bodies a CLI sent, in
// order, gzip-compressed, one file per request (NN-traces.pb.gz, NN-logs.pb.gz). See fixtures/README.md.
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { LogRecord, Span } from '../../src/model/otlp.js';
import { decodeLogsProto } from '../../src/receivers/otlp/logs.js';
import { decodeTracesProto } from '../../src/receivers/otlp/traces.js';

export function capture(dir: string): { spans: Span[]; logs: LogRecord[] } {
  const base = new URL(`fixtures/${dir}/`, import.meta.url);
  const spans: Span[] = [];
  const logs: LogRecord[] = [];
  for (const f of readdirSync(base).sort()) {
    const body = gunzipSync(readFileSync(new URL(f, base)));
    const decoded = f.includes('-traces.') ? decodeTracesProto(body) : f.includes('-logs.') ? decodeLogsProto(body) : undefined;
    if (!decoded) continue;
    if (decoded.rejected.length) throw new Error(`${dir}/${f}: rejected ${JSON.stringify(decoded.rejected)}`);
    for (const item of decoded.items) (f.includes('-traces.') ? spans : logs).push(item as never);
  }
  return { spans, logs };
}
