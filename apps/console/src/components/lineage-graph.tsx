import type { Schemas } from '../api/client';

interface Node {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly detail?: string;
}

const W = 720;
const ROW = 56;
const BOX_W = 300;

function short(text: string, max = 42): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Where a version came from, drawn as a small graph: its inputs (datasets with digests, code repository and
 * commit, pipeline, training run) on the left, each joined to the version on the right.
 */
export function LineageGraph({ version, lineage, runId }: { version: string; lineage: Schemas['LineageResponse']; runId: string | null }) {
  const inputs: Node[] = [
    ...lineage.datasets.map((d, i) => ({ id: `d${i}`, kind: 'dataset', label: d.name, detail: d.digest ? `${d.uri} · ${d.digest}` : d.uri })),
    ...(lineage.codeRepository || lineage.codeCommit ? [{ id: 'code', kind: 'code', label: lineage.codeRepository ?? 'code', detail: lineage.codeCommit ? `commit ${lineage.codeCommit}` : undefined }] : []),
    ...(lineage.pipeline ? [{ id: 'pipeline', kind: 'pipeline', label: lineage.pipeline }] : []),
    ...(runId ? [{ id: 'run', kind: 'training run', label: runId }] : []),
  ];
  if (inputs.length === 0) return <p className="muted">No lineage was recorded for this version.</p>;
  const height = Math.max(inputs.length, 1) * ROW + 16;
  const target = { x: W - 200, y: height / 2 - 22 };
  const description = inputs.map((n) => `${n.kind} ${n.label}${n.detail ? ` (${n.detail})` : ''}`).join('; ');
  return (
    <svg className="lineage" viewBox={`0 0 ${W} ${height}`} role="img" aria-label={`Lineage of ${version}: ${description}`}>
      {inputs.map((node, i) => {
        const y = 8 + i * ROW;
        return (
          <g key={node.id} className={`node node-${node.kind.replace(' ', '-')}`}>
            <path d={`M${BOX_W + 8},${y + 22} C${BOX_W + 80},${y + 22} ${target.x - 80},${target.y + 22} ${target.x},${target.y + 22}`} className="edge" />
            <rect x={8} y={y} width={BOX_W} height={44} rx={6} />
            <text x={18} y={y + 18} className="kind">
              {node.kind}
            </text>
            <text x={18} y={y + 35} className="label">
              {short(node.label)}
              <title>{node.detail ? `${node.label} — ${node.detail}` : node.label}</title>
            </text>
          </g>
        );
      })}
      <g className="node node-version">
        <rect x={target.x} y={target.y} width={190} height={44} rx={6} />
        <text x={target.x + 10} y={target.y + 18} className="kind">
          model version
        </text>
        <text x={target.x + 10} y={target.y + 35} className="label">
          {short(version, 24)}
        </text>
      </g>
    </svg>
  );
}
