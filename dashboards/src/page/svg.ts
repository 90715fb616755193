import { escapeHtml } from './html';

export interface Point {
  label: string;
  value: number;
}

export interface Series {
  name: string;
  colour: string;
  points: readonly Point[];
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

const niceMax = (max: number): number => {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
};

/** Axis frame, the top value and a few x labels shared by both charts. */
function frame(title: string, top: number, labels: readonly string[], x: (i: number) => number): string {
  const every = Math.max(1, Math.ceil(labels.length / 8));
  const ticks = labels.map((l, i) => (i % every === 0 ? `<text x="${x(i).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(l)}</text>` : '')).join('');
  return `<title>${escapeHtml(title)}</title>
<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" class="axis"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" class="axis"/>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${escapeHtml(top.toLocaleString('en-US'))}</text>
<text x="${PAD.left - 6}" y="${HEIGHT - PAD.bottom}" text-anchor="end">0</text>${ticks}`;
}

/** Vertical bars, one per point. */
export function barChart(title: string, points: readonly Point[], colour: string): string {
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const inner = WIDTH - PAD.left - PAD.right;
  const slot = inner / Math.max(1, points.length);
  const x = (i: number): number => PAD.left + slot * (i + 0.5);
  const h = (v: number): number => ((HEIGHT - PAD.top - PAD.bottom) * Math.max(0, v)) / top;
  const bars = points
    .map((p, i) => `<rect x="${(x(i) - slot * 0.4).toFixed(1)}" y="${(HEIGHT - PAD.bottom - h(p.value)).toFixed(1)}" width="${(slot * 0.8).toFixed(1)}" height="${h(p.value).toFixed(1)}" fill="${colour}"><title>${escapeHtml(`${p.label}: ${p.value}`)}</title></rect>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${frame(title, top, points.map((p) => p.label), x)}${bars}</svg>`;
}

/** Lines over shared x labels (the first series' points), with a legend. */
export function lineChart(title: string, series: readonly Series[]): string {
  const labels = series[0]?.points.map((p) => p.label) ?? [];
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.value))));
  const inner = WIDTH - PAD.left - PAD.right;
  const x = (i: number): number => PAD.left + (labels.length <= 1 ? inner / 2 : (inner * i) / (labels.length - 1));
  const y = (v: number): number => HEIGHT - PAD.bottom - ((HEIGHT - PAD.top - PAD.bottom) * Math.max(0, v)) / top;
  const lines = series
    .map((s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${s.points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ')}"><title>${escapeHtml(s.name)}</title></polyline>`)
    .join('');
  const legend = series.map((s, i) => `<text x="${WIDTH - PAD.right - 120 * (series.length - i)}" y="${PAD.top + 4}" fill="${s.colour}">■ ${escapeHtml(s.name)}</text>`).join('');
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(title)}">${frame(title, top, labels, x)}${lines}${legend}</svg>`;
}
