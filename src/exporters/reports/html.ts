// The report as ONE self-contained HTML file: inline CSS, SVG charts drawn here (svg.ts), no script, no
// external resource, so it opens offline and from a mail attachment. Pure.
import { changeText } from './md.js';
import type { Report, ReportRow } from './model.js';
import { barChart, esc, rateChart } from './svg.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const int = (x: number) => x.toLocaleString('en-US');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:960px;color:#1d232a;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5b6670}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #dde3ea;border-radius:6px;padding:8px 12px;min-width:120px}.card b{display:block;font-size:20px}.card span{color:#5b6670;font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{padding:4px 8px;border-bottom:1px solid #eef1f4;text-align:right}th:first-child,td:first-child{text-align:left}
th{background:#f6f8fa;font-weight:600}.up{color:#b42318}.down{color:#067647}.sig{font-weight:700}
.chart{max-width:100%;height:auto}.chart .grid{stroke:#eef1f4}.chart .axis{font-size:11px;fill:#5b6670}.chart .label{font-size:12px;fill:#1d232a}
.chart .runs{fill:#c9d7e8}.chart .rate{stroke:#b42318;stroke-width:2}.chart .dot{fill:#b42318}.chart .legend{font-size:12px}.chart .rate-key{fill:#b42318}.chart .runs-key{fill:#6b8bb3}
.chart .bar{fill:#6b8bb3}.chart .bar.sig{fill:#b42318}.chart .prev{stroke:#1d232a;stroke-width:2}
.ex{margin:4px 0;padding:6px 8px;border-left:3px solid #dde3ea;background:#fafbfc}.ex code{font-size:12px}.ev{white-space:pre-wrap;word-break:break-word;color:#333}
.note{color:#5b6670;font-size:12px}`;

function change(r: Pick<ReportRow, 'change' | 'significant' | 'p_adjusted'>): string {
  const cls = [r.change > 0 ? 'up' : r.change < 0 ? 'down' : '', r.significant ? 'sig' : ''].filter(Boolean).join(' ');
  return `<span class="${cls}">${esc(changeText(r).replace(/\*\*/g, ''))}</span>`;
}

function breakdown(title: string, unit: string, rows: ReportRow[]): string {
  if (rows.length === 0) return `<h3>${esc(title)}</h3><p class="meta">No data.</p>`;
  const top = rows.slice(0, 15);
  const chart = barChart(
    top.map((r) => ({ label: r.key, value: r.rate, previous: r.previous.rate, significant: r.significant })),
    `${title}: failure rate per ${unit} (bar: this period, tick: previous period)`,
  );
  const body = rows
    .map((r) => `<tr><td>${esc(r.key || '(none)')}</td><td>${int(r.total)}</td><td>${int(r.failed)}</td><td>${int(r.failures)}</td><td>${pct(r.rate)}</td><td>${pct(r.previous.rate)}</td><td>${change(r)}</td></tr>`)
    .join('');
  return `<h3>${esc(title)}</h3>${chart}<table><thead><tr><th>${esc(title.replace(/^By /, ''))}</th><th>${esc(unit)}</th><th>failed</th><th>failures</th><th>rate</th><th>previous</th><th>change</th></tr></thead><tbody>${body}</tbody></table>`;
}

export function reportHtml(r: Report): string {
  const t = r.totals;
  const card = (label: string, value: string) => `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const day = r.timeline.bucket_seconds >= 86_400;
  const points = r.timeline.points.map((p) => ({ label: day ? p.start.slice(5, 10) : p.start.slice(11, 16), rate: p.failure_rate, runs: p.runs }));
  const examples = r.examples
    .map(
      (m) =>
        `<h3>${esc(m.mode)}</h3>` +
        m.examples
          .map(
            (e) =>
              `<div class="ex"><a href="${esc(e.link)}"><code>${esc(e.trace_id)}</code></a> <span class="meta">${esc(e.time.slice(0, 19).replace('T', ' '))} · ${esc(
                [e.service, e.agent, e.tool || e.model].filter(Boolean).join(' / '),
              )}</span><div class="ev">${esc(e.evidence.length > 600 ? `${e.evidence.slice(0, 599)}…` : e.evidence)}</div></div>`,
          )
          .join(''),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(r.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(r.title)}</h1>
<p class="meta">Project <code>${esc(r.project)}</code> · generated ${esc(r.generated_at)} · compared with ${esc(r.previous.from)} to ${esc(r.previous.to)}</p>
<div class="cards">${card('runs', int(t.runs))}${card('runs with a failure', `${int(t.failed_runs)} (${pct(t.failure_rate)})`)}${card('LLM calls', int(t.llm_calls))}${card('tool calls', int(t.tool_calls))}${card('failures', int(t.failures))}${card('tokens in / out', `${int(t.input_tokens)} / ${int(t.output_tokens)}`)}${card('reported cost', `$${t.cost_usd.toFixed(2)}`)}</div>
<p>Failure rate against the previous period (${pct(r.previous_totals.failure_rate)} of ${int(r.previous_totals.runs)} runs): ${change(r.runs_change)}</p>
<h2>Failure rate over time</h2>
${rateChart(points, 'Failure rate (runs with a failure / runs) per ' + (day ? 'day' : 'hour'))}
<h2>Failures</h2>
${breakdown('By mode', r.by.mode.unit, r.by.mode.rows)}
${breakdown('By tool', r.by.tool.unit, r.by.tool.rows)}
${breakdown('By model', r.by.model.unit, r.by.model.rows)}
${breakdown('By agent', r.by.agent.unit, r.by.agent.rows)}
${breakdown('By harness', r.by.harness.unit, r.by.harness.rows)}
<p class="note">${esc(r.significance)}</p>
<h2>Examples</h2>
${examples || '<p class="meta">No failures in this period.</p>'}
</body></html>
`;
}
