// Charts as inline SVG text, made on the server so the HTML report needs no script and no network. Pure.

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const f = (x: number) => Number(x.toFixed(1));

export interface RatePoint {
  label: string;
  rate: number;
  runs: number;
}

/** Failure rate per bucket as a line over bars of run counts. */
export function rateChart(points: RatePoint[], title: string): string {
  const W = 720;
  const H = 220;
  const L = 44;
  const R = 12;
  const T = 24;
  const B = 36;
  const w = W - L - R;
  const h = H - T - B;
  const n = Math.max(points.length, 1);
  const maxRuns = Math.max(1, ...points.map((p) => p.runs));
  const x = (i: number) => L + (w * (i + 0.5)) / n;
  const y = (rate: number) => T + h - h * rate;
  const parts: string[] = [];
  parts.push(`<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title>${esc(title)}</title>`);
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${f(y(g))}" y2="${f(y(g))}" class="grid"/><text x="${L - 6}" y="${f(y(g) + 4)}" class="axis" text-anchor="end">${g * 100}%</text>`);
  }
  const bw = Math.max(1, (w / n) * 0.7);
  points.forEach((p, i) => {
    const bh = (h * p.runs) / maxRuns;
    parts.push(`<rect class="runs" x="${f(x(i) - bw / 2)}" y="${f(T + h - bh)}" width="${f(bw)}" height="${f(bh)}"><title>${esc(p.label)}: ${p.runs} runs</title></rect>`);
  });
  if (points.length) {
    // A bucket without runs has no rate: the line breaks there instead of dropping to 0%.
    const d = points
      .map((p, i) => (p.runs > 0 ? `${i > 0 && points[i - 1].runs > 0 ? 'L' : 'M'}${f(x(i))},${f(y(p.rate))}` : ''))
      .filter(Boolean)
      .join(' ');
    parts.push(`<path class="rate" d="${d || 'M0,0'}" fill="none"/>`);
    points.forEach((p, i) => {
      if (p.runs > 0) parts.push(`<circle class="dot" cx="${f(x(i))}" cy="${f(y(p.rate))}" r="3"><title>${esc(p.label)}: ${(p.rate * 100).toFixed(1)}% of ${p.runs} runs</title></circle>`);
    });
    const every = Math.ceil(points.length / 8);
    points.forEach((p, i) => {
      if (i % every === 0) parts.push(`<text x="${f(x(i))}" y="${H - B + 16}" class="axis" text-anchor="middle">${esc(p.label)}</text>`);
    });
  }
  parts.push(`<text x="${L}" y="14" class="legend"><tspan class="rate-key">━ failure rate</tspan>  <tspan class="runs-key">▮ runs (max ${maxRuns})</tspan></text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface Bar {
  label: string;
  value: number;
  previous: number;
  significant: boolean;
}

/** Horizontal bars (this period) with a tick for the previous period's value. Values are rates 0..1. */
export function barChart(bars: Bar[], title: string): string {
  const W = 720;
  const row = 22;
  const L = 220;
  const R = 80;
  const T = 8;
  const H = T + row * bars.length + 8;
  const w = W - L - R;
  const max = Math.max(0.0001, ...bars.map((b) => Math.max(b.value, b.previous)));
  const parts: string[] = [];
  parts.push(`<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`);
  parts.push(`<title>${esc(title)}</title>`);
  bars.forEach((b, i) => {
    const y0 = T + i * row;
    const label = b.label.length > 32 ? `${b.label.slice(0, 31)}…` : b.label;
    parts.push(`<text x="${L - 8}" y="${y0 + 15}" class="label" text-anchor="end">${esc(label || '(none)')}</text>`);
    parts.push(`<rect class="${b.significant ? 'bar sig' : 'bar'}" x="${L}" y="${y0 + 3}" width="${f(Math.max(1, (w * b.value) / max))}" height="${row - 8}"><title>${esc(b.label)}: ${(b.value * 100).toFixed(1)}%</title></rect>`);
    const px = L + (w * b.previous) / max;
    parts.push(`<line class="prev" x1="${f(px)}" x2="${f(px)}" y1="${y0 + 1}" y2="${y0 + row - 3}"><title>previous: ${(b.previous * 100).toFixed(1)}%</title></line>`);
    parts.push(`<text x="${f(L + (w * b.value) / max + 6)}" y="${y0 + 15}" class="axis">${(b.value * 100).toFixed(1)}%</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
