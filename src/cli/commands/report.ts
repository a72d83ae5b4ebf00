import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadConfig } from '../../config.js';
import { REPORT_FORMATS, type ReportFormat, generateReport, renderReport } from '../../exporters/reports/index.js';
import { parseTimeExpr } from '../../time.js';
import { option } from '../args.js';
import type { Command } from '../command.js';
import { callServiceText, serviceUrl, withStoreOrService } from '../remote.js';

const FILTERS = ['service', 'agent', 'model', 'tool'] as const;
const USAGE = `tracemill report --since <time> [--until <time>] --format ${REPORT_FORMATS.join('|')} [--out FILE] [--project P] [${FILTERS.map((f) => `--${f} X`).join('] [')}]   (times: ISO-8601, or 24h, 7d ago)`;


/** Writes `text` to `path` through a temporary name, so a reader never sees half a report. */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export const reportCommand: Command = {
  summary: 'Write a failure-mode report (json, md, or one self-contained html file) for a period. Goes through a running service when it holds the data directory.',
  usage: USAGE,
  async run(args: string[]): Promise<number> {
    const sinceText = option(args, '--since') ?? '7d';
    const untilText = option(args, '--until');
    const format = (option(args, '--format') ?? 'md') as ReportFormat;
    const out = option(args, '--out');
    const since = parseTimeExpr(sinceText);
    const until = untilText ? parseTimeExpr(untilText) : new Date();
    if (!since || !until) {
      console.error(`tracemill report: --${since ? 'until' : 'since'} must be an ISO-8601 time or a duration ago (24h, 7d)\nusage: ${USAGE}`);
      return 2;
    }
    if (!REPORT_FORMATS.includes(format)) {
      console.error(`tracemill report: --format must be one of ${REPORT_FORMATS.join(', ')}\nusage: ${USAGE}`);
      return 2;
    }
    if (since >= until) {
      console.error('tracemill report: --since must be before --until');
      return 2;
    }
    const filters = Object.fromEntries(FILTERS.map((f) => [f, option(args, `--${f}`)]).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const config = loadConfig();
    const project = option(args, '--project') ?? config.defaultProject;
    const text = await withStoreOrService(
      config,
      async (store) => {
        const report = await generateReport(store, { project, range: { from: since, to: until }, filters, baseUrl: serviceUrl(config), harnessAttributes: config.harnessAttributes });
        return renderReport(report, format);
      },
      async () => {
        const q = new URLSearchParams({ from: since.toISOString(), to: until.toISOString(), format, ...filters });
        return callServiceText(config, 'GET', `/api/v1/report?${q}`);
      },
    );
    if (out) {
      writeAtomic(resolve(out), text);
      console.error(`wrote ${format} report to ${resolve(out)} (${Buffer.byteLength(text)} bytes)`);
    } else process.stdout.write(text);
    return 0;
  },
};
