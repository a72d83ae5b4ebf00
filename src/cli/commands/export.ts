// tracemill export: a fine-tuning corpus into a directory (docs/corpora.md). Reads the embedded data directory, or
// streams from the running service (GET /api/v1/export/:format) when `serve` holds it.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { loadConfig } from '../../config.js';
import {
  type ExportCounts,
  ExportInputError,
  type ExportLine,
  type ExportManifest,
  type ExportRequest,
  FORMAT_NAMES,
  checkWritable,
  parseExportRequest,
  writeExport,
  writeLines,
  lineHash,
  splitOf,
} from '../../exporters/index.js';
import { emptyCounts } from '../../exporters/request.js';
import { parseTimeExpr } from '../../time.js';
import type { Command } from '../command.js';
import { ServiceUnreachableError, serviceUrl, withStoreOrService } from '../remote.js';

type Kind = 'string' | 'time' | 'int' | 'number' | 'list' | 'flag' | 'negflag' | 'pattern';

/** CLI option -> request field (and the HTTP query parameter the remote path sends). */
const OPTIONS: Record<string, { key: keyof ExportRequest; kind: Kind; query?: string; help: string }> = {
  '--format': { key: 'format', kind: 'string', help: FORMAT_NAMES.join('|') },
  '--since': { key: 'from', kind: 'time', query: 'from', help: 'runs started since (7d, 24h, ISO-8601)' },
  '--from': { key: 'from', kind: 'time', query: 'from', help: 'same as --since' },
  '--until': { key: 'to', kind: 'time', query: 'to', help: 'runs started before' },
  '--to': { key: 'to', kind: 'time', query: 'to', help: 'same as --until' },
  '--project': { key: 'project', kind: 'string', help: 'project id (default TRACEMILL_PROJECT)' },
  '--service': { key: 'service', kind: 'string', query: 'service', help: 'harness name (service.name)' },
  '--service-version': { key: 'serviceVersion', kind: 'string', query: 'service_version', help: 'harness version (service.version)' },
  '--agent': { key: 'agent', kind: 'string', query: 'agent', help: 'agent name' },
  '--model': { key: 'model', kind: 'string', query: 'model', help: 'model name' },
  '--tool': { key: 'tool', kind: 'string', query: 'tool', help: 'runs that called this tool' },
  '--modes-present': { key: 'modesPresent', kind: 'list', query: 'modes_present', help: 'failure modes the run must have (a,b)' },
  '--modes-absent': { key: 'modesAbsent', kind: 'list', query: 'modes_absent', help: 'failure modes the run must not have' },
  '--successful-only': { key: 'successfulOnly', kind: 'flag', query: 'successful_only', help: 'only runs without medium/high failures' },
  '--min-turns': { key: 'minTurns', kind: 'int', query: 'min_turns', help: 'at least N LLM calls' },
  '--max-turns': { key: 'maxTurns', kind: 'int', query: 'max_turns', help: 'at most N LLM calls' },
  '--max-tokens': { key: 'maxTokens', kind: 'int', query: 'max_tokens', help: 'skip examples estimated above N tokens' },
  '--blamed': { key: 'blamed', kind: 'string', query: 'blamed', help: 'drop|weight0|keep' },
  '--task-key': { key: 'taskKey', kind: 'string', query: 'task_key', help: 'preference: attribute naming the task' },
  '--validation-ratio': { key: 'validationRatio', kind: 'number', help: 'share of examples in validation.jsonl (0-1)' },
  '--no-redact': { key: 'redact', kind: 'negflag', query: 'redact', help: 'keep secrets (redaction is on by default)' },
  '--redact-pii': { key: 'redactPii', kind: 'flag', query: 'redact_pii', help: 'also redact e-mails and phone numbers' },
  '--redact-pattern': { key: 'redactPatterns', kind: 'pattern', help: 'name=regex, repeatable' },
  '--no-dedup': { key: 'dedup', kind: 'negflag', query: 'dedup', help: 'keep identical examples' },
  '--gzip': { key: 'gzip', kind: 'flag', help: 'write .jsonl.gz' },
  '--parquet': { key: 'parquet', kind: 'flag', help: 'records: write records.parquet' },
  '--settled-after': { key: 'settledAfter', kind: 'time', query: 'settled_after', help: 'runs settled after (exclusive)' },
  '--settled-until': { key: 'settledUntil', kind: 'time', query: 'settled_until', help: 'runs settled at or before' },
};

const USAGE = `tracemill export --format <${FORMAT_NAMES.join('|')}> --out <dir> [--since 7d] [filters]\n\noptions:\n${Object.entries(OPTIONS)
  .map(([o, d]) => `  ${o.padEnd(20)} ${d.help}`)
  .join('\n')}\n  --out                directory to write (created if missing)`;

class UsageError extends Error {}

export function parseExportArgs(args: string[], defaultProject: string): { request: ExportRequest; out: string } {
  const req: Record<string, unknown> = { project: defaultProject };
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    if (name === '--out') {
      out = inline ?? args[++i];
      continue;
    }
    const o = OPTIONS[name];
    if (!o) throw new UsageError(`unknown option "${name}"; the options are ${[...Object.keys(OPTIONS), '--out'].join(', ')}`);
    if (o.kind === 'flag' || o.kind === 'negflag') {
      req[o.key] = o.kind === 'flag';
      continue;
    }
    const v = inline ?? args[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    switch (o.kind) {
      case 'time': {
        const d = parseTimeExpr(v);
        if (!d) throw new UsageError(`${name}: "${v}" is not a time (ISO-8601, or a duration ago: 24h, 7d)`);
        req[o.key] = d;
        break;
      }
      case 'int':
      case 'number': {
        const n = Number(v);
        if (!Number.isFinite(n) || (o.kind === 'int' && !Number.isInteger(n))) throw new UsageError(`${name}: "${v}" is not a number`);
        req[o.key] = n;
        break;
      }
      case 'list':
        req[o.key] = v.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'pattern': {
        const k = v.indexOf('=');
        if (k <= 0) throw new UsageError(`${name}: expected name=regex`);
        req[o.key] = [...((req[o.key] as unknown[]) ?? []), { name: v.slice(0, k), pattern: v.slice(k + 1) }];
        break;
      }
      default:
        req[o.key] = v;
    }
  }
  if (req.format === undefined) throw new UsageError(`--format is required: one of ${FORMAT_NAMES.join(', ')}`);
  if (!out) throw new UsageError('--out <dir> is required');
  return { request: req as unknown as ExportRequest, out };
}

/** The HTTP query the running service takes for this request (the remote path). */
function queryOf(request: ExportRequest): string {
  const q = new URLSearchParams();
  for (const o of Object.values(OPTIONS)) {
    if (!o.query || q.has(o.query)) continue;
    const v = request[o.key];
    if (v === undefined) continue;
    q.set(o.query, v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(',') : String(v));
  }
  q.set('include_metadata', 'true');
  return q.toString();
}

/** Lines of the service's stream as ExportLines; the manifest line fills `final`. */
async function* remoteLines(url: string, ratio: number, final: { counts?: ExportCounts; error?: string }): AsyncGenerator<ExportLine> {
  let res: Response;
  try {
    res = await fetch(url, { headers: process.env.TRACEMILL_API_KEY ? { authorization: `Bearer ${process.env.TRACEMILL_API_KEY}` } : {} });
  } catch (e) {
    throw new ServiceUnreachableError(
      `the data directory is held by another process, and no tracemill service answers at ${url} (${(e as Error).message}). ` +
        'Set TRACEMILL_URL to the running service, or stop the other process.',
    );
  }
  if (!res.ok || !res.body) {
    const hint = res.status === 401 || res.status === 403 ? ' (set TRACEMILL_API_KEY to a key with the read scope)' : '';
    throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}${hint}`);
  }
  const rl = createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), crlfDelay: Infinity });
  for await (const raw of rl) {
    if (!raw) continue;
    if (raw.startsWith('{"tracemill_manifest":')) {
      const m = JSON.parse(raw).tracemill_manifest as { complete: boolean; error?: string; counts: ExportCounts };
      final.counts = m.counts;
      if (!m.complete) final.error = m.error ?? 'the export did not complete';
      continue;
    }
    // {"record":<record>,"metadata":<metadata>}: the record's text is kept as the service wrote it.
    const at = raw.lastIndexOf(',"metadata":');
    const line = raw.slice('{"record":'.length, at);
    yield { line, metadata: raw.slice(at + ',"metadata":'.length, -1), split: splitOf(lineHash(line), ratio) };
  }
  if (!final.counts) throw new Error('the service closed the export stream before its end');
  if (final.error) throw new Error(`the service could not finish the export: ${final.error}`);
}

function progress(isTty: boolean, started: number) {
  let last = 0;
  return (c: ExportCounts, done = false) => {
    if (!isTty) return;
    const now = Date.now();
    if (!done && now - last < 200) return;
    last = now;
    const s = (now - started) / 1000;
    process.stderr.write(`\r${c.examples} examples from ${c.runs} runs, ${Math.round(c.examples / Math.max(s, 0.001))}/s, ${s.toFixed(1)}s elapsed${done ? '\n' : ''}`);
  };
}

function summary(m: ExportManifest, out: string, seconds: number, via: string): string {
  const skipped = Object.values(m.counts.skipped).reduce((a, b) => a + b, 0);
  const redacted = Object.values(m.counts.redacted).reduce((a, b) => a + b, 0);
  return (
    `exported ${m.counts.examples} ${m.format} examples from ${m.counts.runs} runs to ${out} in ${seconds.toFixed(1)}s ` +
    `(${m.counts.partial} partial, ${skipped} skipped, ${m.counts.deduplicated} duplicates, ${redacted} redactions${m.counts.validation ? `, ${m.counts.validation} validation` : ''}) ${via}`
  );
}

export const exportCommand: Command = {
  summary: 'Export runs as a fine-tuning corpus (openai-chat, trl, sharegpt, preference pairs, records). Goes through a running service when it holds the data directory.',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const config = loadConfig();
    let request: ExportRequest;
    let out: string;
    try {
      ({ request, out } = parseExportArgs(args, config.defaultProject));
      parseExportRequest(request);
      checkWritable(out);
    } catch (e) {
      if (e instanceof UsageError || e instanceof ExportInputError) {
        console.error(`tracemill export: ${e.message}\nusage: tracemill export --format <format> --out <dir> [filters]   (tracemill export --help lists them)`);
        return 2;
      }
      throw e;
    }
    const started = Date.now();
    const show = progress(process.stderr.isTTY === true, started);
    return withStoreOrService(
      config,
      async (store) => {
        const m = await writeExport(store, request, out, { onProgress: (c) => show(c) });
        show(m.counts, true);
        console.log(summary(m, out, (Date.now() - started) / 1000, `(${store.description})`));
        return 0;
      },
      async () => {
        if (request.parquet) {
          console.error('tracemill export: --parquet needs the data directory itself (ClickHouse writes the file); stop `serve` or export records as JSONL');
          return 2;
        }
        const { req, format } = parseExportRequest(request);
        const url = `${serviceUrl(config)}/api/v1/export/${encodeURIComponent(req.format)}?${queryOf(request)}`;
        const final: { counts?: ExportCounts; error?: string } = {};
        let n = 0;
        const m = await writeLines(req, format, out, remoteLines(url, req.validationRatio, final), () => final.counts ?? { ...emptyCounts(), examples: n }, {
          onProgress: () => show({ ...emptyCounts(), examples: ++n }),
        });
        show(m.counts, true);
        console.log(summary(m, out, (Date.now() - started) / 1000, '(through the running service)'));
        return 0;
      },
    );
  },
};
