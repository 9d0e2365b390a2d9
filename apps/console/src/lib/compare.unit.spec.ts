import { compareRows, lowerIsBetter, parseRefs } from './compare';
import type { ComparedVersion } from './compare';

const version = (label: string, over: Partial<ComparedVersion>): ComparedVersion => ({ label, params: {}, metrics: {}, tags: {}, lineage: {}, artifacts: [], ...over });

describe('the compare table', () => {
  const a = version('m v1', {
    params: { lr: '0.1', depth: '6' },
    metrics: { auc: 0.91, loss: 0.3 },
    tags: { team: 'risk' },
    lineage: { codeCommit: 'a1' },
    artifacts: [{ path: 'model.bin', sha256: 'aa', size: 3 }],
  });
  const b = version('m v2', {
    params: { lr: '0.05', depth: '6' },
    metrics: { auc: 0.94, loss: 0.25, f1: 0.8 },
    tags: { team: 'risk' },
    lineage: { codeCommit: 'b2' },
    artifacts: [
      { path: 'model.bin', sha256: 'bb', size: 3 },
      { path: 'card.md', sha256: 'cc', size: 1 },
    ],
  });
  const rows = compareRows([a, b]);
  const find = (section: string, key: string) => rows.find((r) => r.section === section && r.key === key);

  it('has a row per key of either version, in sections, a missing key as an empty cell', () => {
    expect(rows.map((r) => `${r.section}:${r.key}`)).toEqual(['params:depth', 'params:lr', 'metrics:auc', 'metrics:f1', 'metrics:loss', 'tags:team', 'lineage:codeCommit', 'artifacts:card.md', 'artifacts:model.bin']);
    expect(find('metrics', 'f1')?.cells).toEqual([undefined, '0.8']);
  });

  it('marks what differs: values, a key one version lacks, artifacts with another digest', () => {
    expect(find('params', 'depth')?.differs).toBe(false);
    expect(find('params', 'lr')?.differs).toBe(true);
    expect(find('metrics', 'f1')?.differs).toBe(true);
    expect(find('tags', 'team')?.differs).toBe(false);
    expect(find('artifacts', 'model.bin')).toMatchObject({ cells: ['aa', 'bb'], differs: true });
  });

  it('marks the best metric: highest for scores, lowest for losses and errors; none when all are equal', () => {
    expect(find('metrics', 'auc')?.best).toEqual([1]);
    expect(find('metrics', 'loss')?.best).toEqual([1]);
    expect(compareRows([version('x', { metrics: { auc: 0.5 } }), version('y', { metrics: { auc: 0.5 } })])[0]?.best).toEqual([]);
    expect(compareRows([version('x', { metrics: { rmse: 2 } }), version('y', { metrics: { rmse: 1 } }), version('z', { metrics: { rmse: 1 } })])[0]?.best).toEqual([1, 2]);
    expect(find('metrics', 'f1')?.best).toEqual([]);
    expect(lowerIsBetter('val_loss')).toBe(true);
    expect(lowerIsBetter('p99_latency_ms')).toBe(true);
    expect(lowerIsBetter('accuracy')).toBe(false);
  });

  it('reads name@version references from the URL, the last @ separating the version', () => {
    expect(parseRefs(['fraud@3', 'team@x@12', 'bad', 'm@0', 'm@1.5'])).toEqual([
      { model: 'fraud', version: 3 },
      { model: 'team@x', version: 12 },
    ]);
  });
});
