import { plot } from '../lib/chart';
import type { Point } from '../lib/chart';
import { metric } from '../lib/format';

const FRAME = { width: 640, height: 240, left: 64, right: 16, top: 16, bottom: 32 };

/** One metric across versions as inline SVG (no chart library, nothing loaded from elsewhere). */
export function MetricChart({ name, series }: { name: string; series: readonly Point[] }) {
  if (series.length === 0) return <p className="muted">No version has the metric {name}.</p>;
  const chart = plot(series, FRAME);
  const summary = series.map((p) => `v${p.version}: ${metric(p.value)}`).join(', ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${FRAME.width} ${FRAME.height}`} role="img" aria-label={`${name} across versions: ${summary}`}>
        {chart.yTicks.map((tick) => (
          <g key={`y${tick.y}`}>
            <line x1={FRAME.left} x2={FRAME.width - FRAME.right} y1={tick.y} y2={tick.y} className="grid" />
            <text x={FRAME.left - 8} y={tick.y + 4} textAnchor="end" className="tick">
              {tick.label}
            </text>
          </g>
        ))}
        {chart.xTicks.map((tick) => (
          <text key={`x${tick.x}`} x={tick.x} y={FRAME.height - 10} textAnchor="middle" className="tick">
            {tick.label}
          </text>
        ))}
        <path d={chart.path} className="line" />
        {chart.points.map((p) => (
          <circle key={p.version} cx={p.x} cy={p.y} r={4} className="point">
            <title>{`version ${p.version}: ${metric(p.value)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>
        {name} by version ({series.length} {series.length === 1 ? 'version' : 'versions'})
      </figcaption>
    </figure>
  );
}
