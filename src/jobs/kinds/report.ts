// Job kind `report`: the failure report (src/exporters/reports) of the window since the last run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_RENDERERS, type ReportFormat, generateReport } from '../../exporters/reports/index.js';
import type { KindRunner } from './types.js';

export const runReportJob: KindRunner = async ({ store, job, project, plan, outDir, baseUrl, harnessAttributes }) => {
  const format = (job.format ?? 'html') as ReportFormat;
  const report = await generateReport(store, { project, range: { from: plan.from as Date, to: plan.to }, filters: job.filters ?? {}, baseUrl, harnessAttributes });
  const r = REPORT_RENDERERS[format];
  const name = `.${r.extension}`;
  writeFileSync(join(outDir, name), r.render(report));
  return { files: [name], counts: { runs: report.totals.runs, failed_runs: report.totals.failed_runs, failures: report.totals.failures } };
};
