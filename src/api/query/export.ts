// GET /api/v1/export/:format: a corpus export streamed as JSONL while it is produced (docs/corpora.md). The last
// line is `{"tracemill_manifest": {...}}`: the manifest (counts, filters, format version) without files, with
// `complete: true`; an export that failed midway ends with `complete: false` and the error instead.
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ExportInputError, FORMAT_NAMES, exportLines, manifestOf, parseExportRequest } from '../../exporters/index.js';
import { BLAMED_POLICIES, type ExportRequest, emptyCounts } from '../../exporters/request.js';
import { FAILURE_MODES } from '../../model/failure.js';
import { TimeParam } from '../../time.js';
import { badRequest } from './errors.js';
import { projectOf } from './project.js';
import { ErrorResponse } from './schemas.js';

function list<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(item));
}

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = z.coerce.number().int().min(0);

export const ExportQuery = z.object({
  from: TimeParam.optional().meta({ description: 'Runs that started at or after (ISO-8601 or 7d). Default: the beginning' }),
  to: TimeParam.optional().meta({ description: 'Runs that started before. Default: now' }),
  service: z.string().max(256).optional().meta({ description: 'Harness name (resource service.name)' }),
  service_version: z.string().max(256).optional().meta({ description: 'Harness version (resource service.version)' }),
  agent: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  tool: z.string().max(256).optional().meta({ description: 'Runs that called this tool' }),
  modes_present: list(z.enum(FAILURE_MODES)).optional().meta({ description: 'Runs with all of these failure modes (comma-separated)' }),
  modes_absent: list(z.enum(FAILURE_MODES)).optional().meta({ description: 'Runs with none of these failure modes' }),
  successful_only: flag.optional().meta({ description: 'Only runs without medium or high failures' }),
  min_turns: int.optional(),
  max_turns: int.optional(),
  max_tokens: int.optional().meta({ description: 'Skip examples estimated above (utf8_bytes_div_4)' }),
  blamed: z.enum(BLAMED_POLICIES).optional(),
  task_key: z.string().max(256).optional().meta({ description: 'Preference formats: attribute naming the task' }),
  redact: flag.optional().meta({ description: 'Secret redaction (default true)' }),
  redact_pii: flag.optional(),
  dedup: flag.optional(),
  settled_after: TimeParam.optional().meta({ description: 'Runs (re)settled after this time (exclusive)' }),
  settled_until: TimeParam.optional().meta({ description: 'Runs last settled at or before this time (inclusive)' }),
  include_metadata: flag.optional().meta({ description: 'Each line {"record": ..., "metadata": ...} (run, partial, parent, failures)' }),
});

export const ExportParams = z.object({ format: z.string().max(64).meta({ description: `One of ${FORMAT_NAMES.join(', ')}` }) });

const KNOWN = new Set(Object.keys(ExportQuery.shape));

export const exportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/export/:format',
    {
      schema: {
        summary: 'A fine-tuning corpus, streamed as JSONL',
        description:
          'One example per line in the format asked for (docs/corpora.md), written as it is produced. The final line is {"tracemill_manifest": {...}}: ' +
          'complete (true, or false with error), counts (examples, partial, skipped by reason, redacted by pattern, deduplicated), filters and format version.',
        tags: ['export'],
        params: ExportParams,
        querystring: ExportQuery,
        response: { 400: ErrorResponse },
      },
      // Before validation (which drops unknown keys): an unknown filter is named, with the ones that exist.
      preValidation: async (req) => {
        for (const k of Object.keys(req.query as object)) {
          if (!KNOWN.has(k)) throw badRequest(k, `unknown filter; the filters are ${[...KNOWN].join(', ')}`);
        }
      },
    },
    async (req, reply) => {
      const q = req.query;
      const request: ExportRequest = {
        format: req.params.format,
        project: projectOf(req),
        from: q.from,
        to: q.to,
        service: q.service,
        serviceVersion: q.service_version,
        agent: q.agent,
        model: q.model,
        tool: q.tool,
        modesPresent: q.modes_present,
        modesAbsent: q.modes_absent,
        successfulOnly: q.successful_only,
        minTurns: q.min_turns,
        maxTurns: q.max_turns,
        maxTokens: q.max_tokens,
        blamed: q.blamed,
        taskKey: q.task_key,
        redact: q.redact,
        redactPii: q.redact_pii,
        dedup: q.dedup,
        settledAfter: q.settled_after,
        settledUntil: q.settled_until,
      };
      let parsed: ReturnType<typeof parseExportRequest>;
      try {
        parsed = parseExportRequest(request);
      } catch (e) {
        if (e instanceof ExportInputError) throw badRequest(e.parameter, e.message.slice(e.parameter.length + 2));
        throw e;
      }
      const { req: exportReq, format } = parsed;
      const now = new Date();
      const counts = emptyCounts();
      const withMeta = q.include_metadata === true;
      const store = app.store;
      const log = req.log;
      async function* body(): AsyncGenerator<string> {
        try {
          for await (const l of exportLines(store, exportReq, format, counts, now)) {
            yield (withMeta ? `{"record":${l.line},"metadata":${l.metadata}}` : l.line) + '\n';
          }
          yield JSON.stringify({ tracemill_manifest: { complete: true, ...manifestOf(exportReq, format, counts, [], now) } }) + '\n';
        } catch (e) {
          log.error({ err: e }, 'export failed');
          yield JSON.stringify({ tracemill_manifest: { complete: false, error: 'the store could not answer; retry the export', ...manifestOf(exportReq, format, counts, [], now) } }) + '\n';
        }
      }
      // A stream is not serialized against a response schema: sent as produced.
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(body()) as never);
    },
  );
};
