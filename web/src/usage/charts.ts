// Charts of usage with uPlot (its stylesheet is bundled as a file; it sets sizes through
// the CSSOM, which the console's CSP allows, never a style attribute in markup). Every
// chart comes with a table of the same numbers (table.ts): the chart is for the eye, the
// table for screen readers, keyboards and tests.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4d7c0f', '#be185d'];
export const colorOf = (i: number) => COLORS[i % COLORS.length];

export interface Series {
  label: string;
  values: number[];
}

/** Width for a chart in `host`: the host's width, at least 240 px (phones). */
const widthOf = (host: HTMLElement) => Math.max(240, Math.floor(host.clientWidth || host.parentElement?.clientWidth || 600));

function mount(host: HTMLElement, make: (width: number) => uPlot): void {
  const draw = () => {
    host.replaceChildren();
    make(widthOf(host));
  };
  requestAnimationFrame(draw);
  let last = 0;
  new ResizeObserver(() => {
    const w = widthOf(host);
    if (Math.abs(w - last) > 24) {
      last = w;
      draw();
    }
  }).observe(host);
}

/** An area chart with the series stacked (each drawn on top of those before it). */
export function stackedChart(title: string, times: number[], series: Series[]): HTMLElement {
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}: chart; the table below has the numbers` });
  const stacked: number[][] = [];
  series.forEach((s, i) => stacked.push(s.values.map((v, j) => v + (i > 0 ? stacked[i - 1][j] : 0))));
  mount(host, (width) =>
    new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colorOf(i), fill: `${colorOf(i)}55`, value: (_u: uPlot, _v: number, _s: number, idx: number | null) => (idx === null ? '' : String(s.values[idx])) }))],
        // Fill each band between a series and the one below it, not down to zero.
        bands: series.slice(1).map((_s, i) => ({ series: [i + 2, i + 1] as [number, number] })),
        legend: { show: series.length > 0 },
      },
      [times.map((t) => t / 1000), ...stacked.slice().map((v) => v)],
      host,
    ),
  );
  return host;
}

/** Lines for several series (a key's tokens and failures). */
export function lineChart(title: string, times: number[], series: Series[]): HTMLElement {
  const host = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}: chart; the table below has the numbers` });
  mount(host, (width) =>
    new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colorOf(i), width: 2 }))],
      },
      [times.map((t) => t / 1000), ...series.map((s) => s.values)],
      host,
    ),
  );
  return host;
}

/** A spark line: no axes, no legend; the total is written beside it. */
export function sparkLine(label: string, values: number[]): HTMLElement {
  const host = h('span', { class: 'spark', role: 'img', 'aria-label': label });
  requestAnimationFrame(() =>
    new uPlot(
      {
        width: 96,
        height: 24,
        cursor: { show: false },
        legend: { show: false },
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false } },
        series: [{}, { stroke: colorOf(0), width: 1.5, fill: `${colorOf(0)}33` }],
      },
      [values.map((_v, i) => i), values],
      host,
    ),
  );
  return host;
}
