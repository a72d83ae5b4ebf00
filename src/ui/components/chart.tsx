// A time-series chart (uPlot, drawn on a canvas), with a table fallback for screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  /** How to show a value in the axis and the table. */
  format?: (v: number) => string;
}

export function TimeChart({ title, times, series, height = 220 }: { title: string; times: number[]; series: Series[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !times.length) return;
    const fmt = series[0]?.format ?? ((v: number) => String(v));
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height,
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: times.length < 60 }, value: (_u: uPlot, v: number | null) => (v == null ? '–' : fmt(v)) }))],
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map(fmt), size: 60 }],
        scales: { x: { time: true } },
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const onResize = () => plot.setSize({ width: Math.max(300, el.clientWidth), height });
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [times, series, height]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-canvas" role="img" aria-label={`${title}: chart; the values are in the table below`} />
      <details>
        <summary>Values</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {series.map((s) => (
                <th scope="col">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t, i) => (
              <tr>
                <td>{new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16)}</td>
                {series.map((s) => (
                  <td>{s.values[i] == null ? '–' : (s.format ?? String)(s.values[i] as number)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Horizontal bars for a ranked list (top modes, tools). */
export function Bars({ rows, label, unit }: { rows: { key: string; value: number; href?: string }[]; label: string; unit: [string, string] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table class="bars" aria-label={label}>
      <tbody>
        {rows.map((r) => (
          <tr>
            <th scope="row">{r.href ? <a href={r.href}>{r.key || '(none)'}</a> : r.key || '(none)'}</th>
            <td class="bar-cell">
              <span class="bar" style={{ width: `${(r.value / max) * 100}%` }} />
            </td>
            <td class="num">
              {r.value} {r.value === 1 ? unit[0] : unit[1]}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
