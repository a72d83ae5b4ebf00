// Failure reports: read two periods from the store, build the model, render it. The one I/O function here
// is generateReport; the formats are pure (one file each, listed in REPORT_RENDERERS).
import type { Range } from '../../api/query/filters.js';
import type { Store } from '../../store/clickhouse.js';
import { type ReportFilters, readExamples, readPeriodFigures } from '../../store/read/report.js';
import { buildReport, bucketFor } from './build.js';
import { reportHtml } from './html.js';
import { reportMarkdown } from './md.js';
import type { Report, ReportFormat } from './model.js';

export { REPORT_FORMATS, type ReportFormat, Report as ReportSchema } from './model.js';

export const REPORT_RENDERERS: Record<ReportFormat, { contentType: string; extension: string; render(r: Report): string }> = {
  json: { contentType: 'application/json; charset=utf-8', extension: 'json', render: (r) => `${JSON.stringify(r, null, 2)}\n` },
  md: { contentType: 'text/markdown; charset=utf-8', extension: 'md', render: reportMarkdown },
  html: { contentType: 'text/html; charset=utf-8', extension: 'html', render: reportHtml },
};

export interface ReportRequest {
  project: string;
  range: Range;
  filters: ReportFilters;
  baseUrl: string;
  /** Attributes naming a run's harness (TRACEMILL_HARNESS_ATTRIBUTES); default service.name, service.version. */
  harnessAttributes?: readonly string[];
  /** Examples shown per failure mode. */
  examplesPerMode?: number;
  now?: Date;
}

export async function generateReport(store: Store, req: ReportRequest): Promise<Report> {
  const { from, to } = req.range;
  const len = to.getTime() - from.getTime();
  const previous = { from: new Date(from.getTime() - len), to: from };
  const bucketSeconds = bucketFor(from, to);
  const harness = req.harnessAttributes ?? ['service.name', 'service.version'];
  const [current, before, examples] = await Promise.all([
    readPeriodFigures(store, req.project, req.range, req.filters, bucketSeconds, harness),
    readPeriodFigures(store, req.project, previous, req.filters, bucketSeconds, harness),
    readExamples(store, req.project, req.range, req.filters, req.examplesPerMode ?? 3),
  ]);
  return buildReport({
    project: req.project,
    from,
    to,
    filters: req.filters,
    bucketSeconds,
    current,
    previous: before,
    examples,
    baseUrl: req.baseUrl,
    generatedAt: req.now ?? new Date(),
  });
}

export function renderReport(report: Report, format: ReportFormat): string {
  return REPORT_RENDERERS[format].render(report);
}
