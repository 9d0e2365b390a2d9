import type { MetricPoint, RunEvent } from '@mreg/shared/contracts';
import { evolveRunDoc } from './tracking-index.projection';
import type { RunDoc } from './tracking-index.projection';

const created: RunEvent = {
  type: 'RunCreated',
  data: { runId: 'r1', experimentId: '1', userId: 'alice', runName: 'alpha', startTime: 10, tags: { 'mlflow.runName': 'alpha' }, artifactUri: 'mlflow-artifacts:/1/r1/artifacts' },
};
const metric = (key: string, value: MetricPoint['value'], step: number, timestamp: number): MetricPoint => ({ key, value, step, timestamp });
const fold = (events: RunEvent[]) => events.reduce<RunDoc | undefined>((doc, e) => evolveRunDoc(doc, e), undefined);

describe('run search document', () => {
  it('keeps params and the latest value of each metric: highest step, then timestamp, then value', () => {
    const doc = fold([
      created,
      { type: 'RunParamsLogged', data: { runId: 'r1', params: { lr: '0.1' } } },
      { type: 'RunMetricsLogged', data: { runId: 'r1', metrics: [metric('acc', 0.5, 1, 5), metric('acc', 0.9, 0, 9), metric('loss', 2, 0, 1)] } },
      { type: 'RunMetricsLogged', data: { runId: 'r1', metrics: [metric('acc', 0.4, 1, 4), metric('loss', 1, 0, 1), metric('loss', 3, 0, 1)] } },
      { type: 'RunParamsLogged', data: { runId: 'r1', params: { depth: '3' } } },
    ]);
    expect(doc).toMatchObject({ params: { lr: '0.1', depth: '3' }, metrics: { acc: 0.5, loss: 3 }, metricPositions: { acc: [1, 5], loss: [0, 1] } });
  });

  it("keeps infinities as ±MAX_VALUE and NaN as text, as MLflow's store does", () => {
    const doc = fold([created, { type: 'RunMetricsLogged', data: { runId: 'r1', metrics: [metric('up', 'Infinity', 0, 1), metric('down', '-Infinity', 0, 1), metric('nan', 'NaN', 0, 1)] } }]);
    expect(doc?.metrics).toEqual({ up: Number.MAX_VALUE, down: -Number.MAX_VALUE, nan: 'NaN' });
    // A later step replaces a NaN; JSON keeps every value (the documents are stored as JSON).
    const later = evolveRunDoc(doc, { type: 'RunMetricsLogged', data: { runId: 'r1', metrics: [metric('nan', 1, 1, 1)] } });
    expect(JSON.parse(JSON.stringify(later)) as RunDoc).toEqual(later);
    expect(later.metrics['nan']).toBe(1);
  });

  it('follows tags, status and the run name like the run itself', () => {
    const doc = fold([
      created,
      { type: 'RunTagsSet', data: { runId: 'r1', tags: { team: 'risk' } } },
      { type: 'RunUpdated', data: { runId: 'r1', status: 'FINISHED', endTime: 20, runName: 'beta' } },
      { type: 'RunDeleted', data: { runId: 'r1', at: 30 } },
    ]);
    expect(doc).toMatchObject({ runName: 'beta', status: 'FINISHED', endTime: 20, lifecycle: 'deleted', artifactUri: 'mlflow-artifacts:/1/r1/artifacts', tags: { team: 'risk', 'mlflow.runName': 'beta' } });
  });
});
