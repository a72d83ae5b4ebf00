// Fine-tuning corpora out of the stored runs (docs/corpora.md): the registry of formats (one file each under
// corpora/, one line here) and writeExport, which writes an export into a directory: the data files under temporary
// names renamed at the end (an interrupted export leaves nothing that looks complete), then manifest.json.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { PACKAGE_VERSION } from '../paths.js';
import type { Store } from '../store/clickhouse.js';
import { countSelected, parquetStream } from '../store/read/export.js';
import { openAiChat } from './corpora/openai-chat.js';
import { openAiPreference } from './corpora/openai-preference.js';
import { records } from './corpora/records.js';
import { sharegpt } from './corpora/sharegpt.js';
import { trl } from './corpora/trl.js';
import { trlPreference } from './corpora/trl-preference.js';
import { type ExportLine, blamedPolicy, exportLines, redactionPatterns, selectionOf } from './pipeline.js';
export { type ExportLine, exportLines, lineHash, splitOf } from './pipeline.js';
import {
  type ExportCounts,
  ExportInputError,
  type ExportManifest,
  ExportRequest,
  type ParsedExportRequest,
  TOKEN_ESTIMATOR,
  emptyCounts,
} from './request.js';
import type { CorpusFormat } from './types.js';

export { ExportCounts, ExportInputError, ExportManifest, ExportRequest } from './request.js';

export const FORMATS: Record<string, CorpusFormat> = {
  'openai-chat': openAiChat,
  trl,
  sharegpt,
  'openai-preference': openAiPreference,
  'trl-preference': trlPreference,
  records,
};

export const FORMAT_NAMES = Object.keys(FORMATS);

/** Parses a request and checks what zod cannot: the format exists, and options fit it. */
export function parseExportRequest(input: unknown): { req: ParsedExportRequest; format: CorpusFormat } {
  const parsed = ExportRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = String(issue.path[0] ?? 'request');
    if (issue.code === 'unrecognized_keys') {
      throw new ExportInputError(issue.keys.join(', '), `unknown filter; the filters are ${Object.keys(ExportRequest.shape).join(', ')}`);
    }
    throw new ExportInputError(param, issue.message);
  }
  const req = parsed.data;
  const format = FORMATS[req.format];
  if (!format) throw new ExportInputError('format', `unknown format "${req.format}"; the formats are ${FORMAT_NAMES.join(', ')}`);
  if (req.blamed === 'weight0' && !(format.kind === 'conversation' && format.weights)) {
    throw new ExportInputError('blamed', `${format.name} has no per-turn weight; use drop or keep`);
  }
  if (req.parquet && format.kind !== 'records') throw new ExportInputError('parquet', 'only the records format is written as Parquet');
  if (req.parquet && (req.maxTokens !== undefined || req.validationRatio > 0 || req.gzip)) {
    throw new ExportInputError('parquet', 'a Parquet export takes no maxTokens, validationRatio or gzip');
  }
  if (req.from && req.to && req.from >= req.to) throw new ExportInputError('from', 'must be before to');
  for (const p of req.redactPatterns) {
    try {
      new RegExp(p.pattern);
    } catch (e) {
      throw new ExportInputError('redactPatterns', `${p.name}: ${(e as Error).message}`);
    }
  }
  return { req, format };
}

/** The manifest of an export, from its request and final counts. */
export function manifestOf(req: ParsedExportRequest, format: CorpusFormat, counts: ExportCounts, files: ExportManifest['files'], now: Date): ExportManifest {
  const filters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req)) if (v !== undefined) filters[k] = v instanceof Date ? v.toISOString() : v;
  const sel = selectionOf(req, now);
  return {
    format: format.name,
    format_version: format.version,
    tracemill_version: PACKAGE_VERSION,
    created_at: now.toISOString(),
    project: req.project,
    filters,
    time_range: { from: sel.from.toISOString(), to: sel.to.toISOString() },
    settled: { after: req.settledAfter?.toISOString() ?? null, until: req.settledUntil?.toISOString() ?? null },
    blamed: blamedPolicy(req, format),
    redaction: { enabled: req.redact, pii: req.redactPii, patterns: [...new Set(redactionPatterns(req).map((p) => p.name))] },
    token_estimator: TOKEN_ESTIMATOR,
    counts,
    files,
  };
}

/** A file written under a temporary name, gzip on request, hashed as written. */
class OutFile {
  readonly tmp: string;
  lines = 0;
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly head: Writable;
  private readonly done: Promise<void>;

  constructor(
    readonly dir: string,
    readonly name: string,
    readonly role: ExportManifest['files'][number]['role'],
    gzip: boolean,
  ) {
    this.tmp = join(dir, `.${name}.${process.pid}.tmp`);
    const file: WriteStream = createWriteStream(this.tmp);
    const tap = new PassThrough();
    tap.on('data', (b: Buffer) => {
      this.hash.update(b);
      this.bytes += b.length;
    });
    if (gzip) {
      const gz = createGzip();
      this.head = gz;
      this.done = pipeline(gz, tap, file);
    } else {
      this.head = tap;
      this.done = pipeline(tap, file);
    }
  }

  async write(line: string): Promise<void> {
    this.lines++;
    await this.writeRaw(line + '\n');
  }

  async writeRaw(chunk: string | Buffer): Promise<void> {
    if (!this.head.write(chunk)) await once(this.head, 'drain');
  }

  async close(): Promise<ExportManifest['files'][number]> {
    this.head.end();
    await this.done;
    renameSync(this.tmp, join(this.dir, this.name));
    return { name: this.name, role: this.role, lines: this.lines, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Stops writing and removes the temporary file, once the file stream has closed (or it could reappear). */
  async discard(): Promise<void> {
    this.head.destroy();
    await this.done.catch(() => undefined);
    rmSync(this.tmp, { force: true });
  }
}

/** Checks that `dir` can be written before any work starts; the error names it. */
export function checkWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.tracemill-probe.${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new ExportInputError('out', `cannot write to ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface WriteOptions {
  /** Told after every line (for a progress display). */
  onProgress?: (counts: ExportCounts) => void;
  now?: Date;
}

/** Sink for lines: the data and metadata files of each split, opened on first use. */
class SplitFiles {
  private files = new Map<string, OutFile>();
  constructor(
    private readonly dir: string,
    private readonly gzip: boolean,
  ) {}

  private file(role: ExportManifest['files'][number]['role']): OutFile {
    let f = this.files.get(role);
    if (!f) {
      const name = role.endsWith('-metadata') ? `${role.replace('-metadata', '')}.metadata.jsonl` : `${role}.jsonl${this.gzip ? '.gz' : ''}`;
      f = new OutFile(this.dir, name, role, this.gzip && !role.endsWith('-metadata'));
      this.files.set(role, f);
    }
    return f;
  }

  async write(l: ExportLine): Promise<void> {
    await this.file(l.split).write(l.line);
    await this.file(`${l.split}-metadata`).write(l.metadata);
  }

  async close(): Promise<ExportManifest['files']> {
    if (this.files.size === 0) this.file('train'); // an empty export still has its (empty) file
    const out: ExportManifest['files'] = [];
    for (const f of this.files.values()) out.push(await f.close());
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async discard(): Promise<void> {
    for (const f of this.files.values()) await f.discard();
  }
}

/**
 * Writes an export of `request` into `outDir`: `train.jsonl` (and `validation.jsonl` with a validation ratio),
 * `*.metadata.jsonl` beside them (one line per example, same order), or `records.parquet`; then `manifest.json`.
 * Resolves to the manifest. Bad input throws ExportInputError before any work starts.
 */
export async function writeExport(store: Store, request: ExportRequest, outDir: string, opts: WriteOptions = {}): Promise<ExportManifest> {
  const { req, format } = parseExportRequest(request);
  checkWritable(outDir);
  const now = opts.now ?? new Date();
  const counts = emptyCounts();
  if (!req.parquet) return writeLines(req, format, outDir, exportLines(store, req, format, counts, now), () => counts, { ...opts, now });
  const out = new OutFile(outDir, 'records.parquet', 'records', false);
  let files: ExportManifest['files'];
  try {
    const sel = selectionOf(req, now);
    const redacted = new Map<string, number>();
    const stream = await parquetStream(store, sel, redactionPatterns(req), redacted);
    for await (const chunk of stream as AsyncIterable<Buffer>) await out.writeRaw(chunk);
    for (const [k, n] of redacted) counts.redacted[k] = n;
    const selected = await countSelected(store, sel);
    counts.runs = selected.runs;
    counts.examples = counts.train = selected.operations;
    files = [{ ...(await out.close()), lines: selected.operations }];
  } catch (e) {
    await out.discard();
    throw e;
  }
  return writeManifest(outDir, manifestOf(req, format, counts, files, now));
}

function writeManifest(outDir: string, manifest: ExportManifest): ExportManifest {
  const tmp = join(outDir, `.manifest.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, join(outDir, 'manifest.json'));
  return manifest;
}

/**
 * Writes lines made elsewhere (the running service's HTTP stream: `tracemill export` while `serve` holds the data
 * directory) as writeExport would. `counts` is read once the lines are done; the split is drawn here, by content hash.
 */
export async function writeLines(
  req: ParsedExportRequest,
  format: CorpusFormat,
  outDir: string,
  lines: AsyncIterable<ExportLine>,
  counts: () => ExportCounts,
  opts: WriteOptions = {},
): Promise<ExportManifest> {
  const now = opts.now ?? new Date();
  const sink = new SplitFiles(outDir, req.gzip);
  let files: ExportManifest['files'];
  const splits = { train: 0, validation: 0 };
  try {
    for await (const l of lines) {
      await sink.write(l);
      splits[l.split]++;
      opts.onProgress?.(counts());
    }
    files = await sink.close();
  } catch (e) {
    await sink.discard();
    throw e;
  }
  return writeManifest(outDir, manifestOf(req, format, { ...counts(), ...splits }, files, now));
}
