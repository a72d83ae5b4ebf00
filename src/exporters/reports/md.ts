// The report as GitHub-flavoured Markdown: headings, tables, links to traces. Pure.
import type { Report, ReportRow } from './model.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const int = (x: number) => x.toLocaleString('en-US');
/** Table cells: no pipes or line breaks from the data. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function changeText(r: Pick<ReportRow, 'change' | 'significant' | 'p_adjusted'>): string {
  const pts = (r.change * 100).toFixed(1);
  const arrow = r.change > 0 ? '▲' : r.change < 0 ? '▼' : '=';
  return `${arrow} ${r.change > 0 ? '+' : ''}${pts} pts${r.significant ? ` **significant** (adjusted p=${r.p_adjusted.toPrecision(2)})` : ''}`;
}

function table(title: string, unit: string, rows: ReportRow[]): string {
  if (rows.length === 0) return `### ${title}\n\nNo data.\n`;
  const head = `| ${title.replace(/^By /, '')} | ${unit} | failed | failures | rate | previous rate | change |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |`;
  const body = rows.map((r) => `| ${cell(r.key || '(none)')} | ${int(r.total)} | ${int(r.failed)} | ${int(r.failures)} | ${pct(r.rate)} | ${pct(r.previous.rate)} | ${changeText(r)} |`);
  return `### ${title}\n\n${head}\n${body.join('\n')}\n`;
}

export function reportMarkdown(r: Report): string {
  const t = r.totals;
  const p = r.previous_totals;
  const out: string[] = [];
  out.push(`# ${r.title}\n`);
  out.push(`Project \`${r.project}\`, generated ${r.generated_at}. Previous period: ${r.previous.from} to ${r.previous.to}.\n`);
  out.push('## Totals\n');
  out.push('| | this period | previous period |\n| --- | ---: | ---: |');
  const line = (name: string, a: string, b: string) => out.push(`| ${name} | ${a} | ${b} |`);
  line('Runs', int(t.runs), int(p.runs));
  line('Runs with a failure', `${int(t.failed_runs)} (${pct(t.failure_rate)})`, `${int(p.failed_runs)} (${pct(p.failure_rate)})`);
  line('LLM calls', int(t.llm_calls), int(p.llm_calls));
  line('Tool calls', int(t.tool_calls), int(p.tool_calls));
  line('Failures', int(t.failures), int(p.failures));
  line('Input tokens', int(t.input_tokens), int(p.input_tokens));
  line('Output tokens', int(t.output_tokens), int(p.output_tokens));
  line('Reported cost (USD)', t.cost_usd.toFixed(4), p.cost_usd.toFixed(4));
  out.push(`\nFailure rate change: ${changeText(r.runs_change)}.\n`);
  out.push('## Failure rate over time\n');
  out.push('| from | runs | failed runs | rate |\n| --- | ---: | ---: | --- |');
  for (const pt of r.timeline.points) {
    const bar = '█'.repeat(Math.round(pt.failure_rate * 20));
    out.push(`| ${pt.start.slice(0, 16).replace('T', ' ')} | ${int(pt.runs)} | ${int(pt.failed_runs)} | ${pct(pt.failure_rate)} ${bar} |`);
  }
  out.push('\n## Failures\n');
  out.push(table('By mode', r.by.mode.unit, r.by.mode.rows));
  out.push(table('By tool', r.by.tool.unit, r.by.tool.rows));
  out.push(table('By model', r.by.model.unit, r.by.model.rows));
  out.push(table('By agent', r.by.agent.unit, r.by.agent.rows));
  out.push(table('By harness', r.by.harness.unit, r.by.harness.rows));
  out.push(`_${r.significance}_\n`);
  out.push('## Examples\n');
  if (r.examples.length === 0) out.push('No failures in this period.\n');
  for (const m of r.examples) {
    out.push(`### ${m.mode}\n`);
    for (const e of m.examples) {
      const where = [e.service, e.agent, e.tool || e.model].filter(Boolean).map(cell).join(' / ');
      out.push(`- [\`${e.trace_id}\`](${e.link}) ${e.time.slice(0, 19).replace('T', ' ')} ${where}: ${cell(clip(e.evidence, 300))}`);
    }
    out.push('');
  }
  return out.join('\n');
}
