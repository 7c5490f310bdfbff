/**
 * Plain SVG charts (no library): vertical bars (time series, histograms, splits) and horizontal bars
 * (categories). Colours come from CSS classes using `--vscode-charts-*`; every chart is an
 * `img` with a title and a description listing its data, each bar has its own <title> tooltip,
 * and the numbers are also in a table under "Data".
 */
import { h, s } from './dom';

export interface Datum {
  label: string;
  value: number;
}

let uid = 0;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function describe(data: Datum[]): string {
  if (data.length === 0) return 'no data';
  return data.map((d) => `${d.label}: ${fmt(d.value)}`).join(', ');
}

function dataTable(data: Datum[], labelHead: string, valueHead: string): HTMLElement {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', null, 'Data'),
    h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', null, labelHead), h('th', null, valueHead))),
      h('tbody', null, ...data.map((d) => h('tr', null, h('td', null, d.label), h('td', { class: 'num' }, fmt(d.value))))),
    ),
  );
}

function frame(title: string, data: Datum[], svg: SVGSVGElement | null, labelHead: string, valueHead: string, note?: string): HTMLElement {
  const fig = h('figure', { class: 'chart', attrs: { 'data-chart': title } }, h('figcaption', null, title, note ? h('span', { class: 'muted' }, ` — ${note}`) : null));
  if (svg) fig.appendChild(svg);
  else fig.appendChild(h('p', { class: 'empty-note' }, 'none'));
  if (data.length) fig.appendChild(dataTable(data, labelHead, valueHead));
  return fig;
}

function svgRoot(width: number, height: number, title: string, data: Datum[]): SVGSVGElement {
  const id = `chart-${++uid}`;
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: 'xMinYMin meet', class: 'chart-svg' },
    s('title', { id: `${id}-t` }, title),
    s('desc', { id: `${id}-d` }, describe(data)),
  );
}

/** Vertical bars, for ordered data (months, histogram bins, splits). */
export function columnChart(title: string, data: Datum[], opts: { colour?: string; labelHead?: string; valueHead?: string; note?: string } = {}): HTMLElement {
  const labelHead = opts.labelHead ?? 'label';
  const valueHead = opts.valueHead ?? 'value';
  if (data.length === 0) return frame(title, data, null, labelHead, valueHead, opts.note);
  const W = 640;
  const H = 220;
  const left = 44;
  const bottom = 40;
  const top = 12;
  const plotW = W - left - 8;
  const plotH = H - top - bottom;
  const max = Math.max(1, ...data.map((d) => d.value));
  const step = plotW / data.length;
  const barW = Math.max(1, Math.min(48, step * 0.8));
  const svg = svgRoot(W, H, title, data);
  // axes and grid
  svg.appendChild(s('line', { x1: left, y1: top + plotH, x2: W - 8, y2: top + plotH, class: 'axis' }));
  // Integer ticks at the top and the middle (no repeated label when the maximum is small).
  for (const f of max >= 2 ? [0.5, 1] : [1]) {
    const y = top + plotH - plotH * f;
    svg.appendChild(s('line', { x1: left, y1: y, x2: W - 8, y2: y, class: 'grid' }));
    svg.appendChild(s('text', { x: left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, fmt(Math.round(max * f))));
  }
  svg.appendChild(s('text', { x: left - 6, y: top + plotH + 4, class: 'tick', 'text-anchor': 'end' }, '0'));
  const labelEvery = Math.max(1, Math.ceil(data.length / Math.floor(plotW / 70)));
  data.forEach((d, i) => {
    const x = left + i * step + (step - barW) / 2;
    const bh = (d.value / max) * plotH;
    const g = s('g', { class: `bar ${opts.colour ?? 'blue'}` }, s('title', null, `${d.label}: ${fmt(d.value)}`));
    g.appendChild(s('rect', { x: x.toFixed(1), y: (top + plotH - bh).toFixed(1), width: barW.toFixed(1), height: Math.max(d.value > 0 ? 1 : 0, bh).toFixed(1), rx: 1 }));
    svg.appendChild(g);
    if (i % labelEvery === 0) svg.appendChild(s('text', { x: (left + i * step + step / 2).toFixed(1), y: top + plotH + 16, class: 'tick', 'text-anchor': 'middle' }, d.label));
    if (data.length <= 12) svg.appendChild(s('text', { x: (left + i * step + step / 2).toFixed(1), y: (top + plotH - bh - 4).toFixed(1), class: 'value', 'text-anchor': 'middle' }, fmt(d.value)));
  });
  return frame(title, data, svg, labelHead, valueHead, opts.note);
}

/** Horizontal bars, largest first, for categories (languages, kinds, skip reasons, redactions). */
export function barChart(title: string, data: Datum[], opts: { colour?: string; labelHead?: string; valueHead?: string; note?: string; keepZero?: boolean } = {}): HTMLElement {
  const rows = data.filter((d) => opts.keepZero || d.value > 0).sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
  const labelHead = opts.labelHead ?? 'label';
  const valueHead = opts.valueHead ?? 'count';
  if (rows.length === 0) return frame(title, rows, null, labelHead, valueHead, opts.note);
  const W = 640;
  const rowH = 22;
  const labelW = 150;
  const valueW = 70;
  const H = rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((d) => d.value));
  const plotW = W - labelW - valueW;
  const svg = svgRoot(W, H, title, rows);
  rows.forEach((d, i) => {
    const y = 4 + i * rowH;
    const bw = (d.value / max) * plotW;
    const g = s('g', { class: `bar ${opts.colour ?? 'blue'}` }, s('title', null, `${d.label}: ${fmt(d.value)}`));
    g.appendChild(s('rect', { x: labelW, y: y + 3, width: Math.max(d.value > 0 ? 1 : 0, bw).toFixed(1), height: rowH - 8, rx: 1 }));
    svg.appendChild(s('text', { x: labelW - 8, y: y + rowH / 2 + 4, class: 'tick', 'text-anchor': 'end' }, d.label.length > 22 ? `${d.label.slice(0, 21)}…` : d.label));
    svg.appendChild(g);
    svg.appendChild(s('text', { x: labelW + bw + 6, y: y + rowH / 2 + 4, class: 'value' }, fmt(d.value)));
  });
  return frame(title, rows, svg, labelHead, valueHead, opts.note);
}

/** Equal-width integer bins over [min, max] (at most `maxBins`), labelled "a–b". */
export function histogram(values: number[], maxBins = 20): Datum[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bins = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(values.length)), max - min + 1));
  const width = Math.ceil((max - min + 1) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  return counts.map((value, i) => {
    const a = min + i * width;
    const b = Math.min(max, a + width - 1);
    return { label: a === b ? String(a) : `${a}–${b}`, value };
  });
}

export function entries(r: Record<string, number> | undefined): Datum[] {
  return Object.entries(r ?? {}).map(([label, value]) => ({ label, value: Number(value) || 0 }));
}
