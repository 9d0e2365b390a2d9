// The model page's chart of one metric across versions: scales and the polyline, drawn as inline SVG.

export interface Point {
  readonly version: number;
  readonly value: number;
}

export interface Plotted extends Point {
  readonly x: number;
  readonly y: number;
}

export interface Chart {
  readonly points: readonly Plotted[];
  readonly path: string;
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function niceLabel(value: number, span: number): string {
  const digits = span === 0 ? 3 : Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(span))));
  return value.toFixed(digits);
}

/** The series of versions that have the metric, by version number. */
export function seriesOf(versions: readonly { version: number; metrics: Readonly<Record<string, number>> }[], name: string): Point[] {
  return versions.flatMap((v) => (typeof v.metrics[name] === 'number' && Number.isFinite(v.metrics[name]) ? [{ version: v.version, value: v.metrics[name] }] : [])).sort((a, b) => a.version - b.version);
}

/** Positions in the frame: versions evenly spaced left to right, values bottom (min) to top (max). */
export function plot(series: readonly Point[], frame: Frame): Chart {
  const innerW = frame.width - frame.left - frame.right;
  const innerH = frame.height - frame.top - frame.bottom;
  if (series.length === 0) return { points: [], path: '', yTicks: [], xTicks: [] };
  const values = series.map((p) => p.value);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    min -= Math.abs(min) * 0.1 || 1;
    max += Math.abs(max) * 0.1 || 1;
  }
  const span = max - min;
  const x = (i: number) => round(frame.left + (series.length === 1 ? innerW / 2 : (innerW * i) / (series.length - 1)));
  const y = (value: number) => round(frame.top + innerH - ((value - min) / span) * innerH);
  const points = series.map((p, i) => ({ ...p, x: x(i), y: y(p.value) }));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
  const yTicks = [0, 0.5, 1].map((f) => ({ y: y(min + span * f), label: niceLabel(min + span * f, span) }));
  const every = Math.max(1, Math.ceil(series.length / 10));
  const xTicks = points.filter((_, i) => i % every === 0 || i === points.length - 1).map((p) => ({ x: p.x, label: `v${p.version}` }));
  return { points, path, yTicks, xTicks };
}
