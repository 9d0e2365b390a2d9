import type { RunEvent } from '@mreg/shared/contracts';
import { factsOfRun, ownerOfTreePath, parseRegistrationSource, treePathOf } from './registration-source';
import { runDecider } from './run.decider';

const runId = '0123456789abcdef0123456789abcdef';

describe('registration source', () => {
  it('recognizes runs:/, models:/ and mlflow-artifacts: sources', () => {
    expect(parseRegistrationSource(`runs:/${runId}/model`)).toEqual({ kind: 'run', runId, path: 'model' });
    expect(parseRegistrationSource(`runs:/${runId}`)).toEqual({ kind: 'run', runId, path: '' });
    expect(parseRegistrationSource('models:/m-46f4e29124bc438fbe57110fda6e22d6')).toEqual({ kind: 'logged-model', loggedModelId: 'm-46f4e29124bc438fbe57110fda6e22d6' });
    expect(parseRegistrationSource(`mlflow-artifacts:/1/${runId}/artifacts/model`)).toEqual({ kind: 'tree', treePath: `1/${runId}/artifacts/model` });
    expect(parseRegistrationSource(`mlflow-artifacts://host:5000/1/${runId}/artifacts/model/`)).toEqual({ kind: 'tree', treePath: `1/${runId}/artifacts/model` });
    // A registered model's URI is not a logged model's.
    expect(parseRegistrationSource('models:/fraud/1')).toEqual({ kind: 'other' });
    expect(parseRegistrationSource('s3://bucket/model')).toEqual({ kind: 'other' });
  });

  it('finds the owner of a tree path by MLflow layout', () => {
    expect(ownerOfTreePath(`1/${runId}/artifacts/model`)).toEqual({ runId });
    expect(ownerOfTreePath('1/models/m-abc/artifacts')).toEqual({ loggedModelId: 'm-abc' });
    expect(ownerOfTreePath('1/models/m-abc')).toBeUndefined();
    expect(ownerOfTreePath('elsewhere/x')).toBeUndefined();
    expect(treePathOf('mlflow-artifacts:/1')).toBe('1');
    expect(treePathOf('s3://b/1')).toBeUndefined();
  });

  it('takes params, latest finite metrics, tags and lineage from a run', () => {
    const events: RunEvent[] = [
      {
        type: 'RunCreated',
        data: {
          runId,
          experimentId: '1',
          userId: 'ann',
          runName: 'r',
          startTime: 1,
          tags: { 'mlflow.source.git.commit': '3f2a9c1e', 'mlflow.source.git.repoURL': 'https://git.example.com/risk/fraud.git', 'mlflow.source.name': 'train.py' },
          artifactUri: 'mlflow-artifacts:/1/x/artifacts',
        },
      },
      { type: 'RunParamsLogged', data: { runId, params: { lr: '0.1' } } },
      {
        type: 'RunMetricsLogged',
        data: {
          runId,
          metrics: [
            { key: 'auc', value: 0.9, timestamp: 1, step: 0 },
            { key: 'auc', value: 0.94, timestamp: 2, step: 1 },
            { key: 'loss', value: 'NaN', timestamp: 1, step: 0 },
          ],
        },
      },
      {
        type: 'RunInputsLogged',
        data: {
          runId,
          datasets: [
            { dataset: { name: 'tx', digest: 'd1', sourceType: 's3', source: '{"uri": "s3://data/tx.parquet"}' }, tags: {} },
            { dataset: { name: 'tx', digest: 'd1', sourceType: 's3', source: '{"uri": "s3://data/tx.parquet"}' }, tags: { 'mlflow.data.context': 'eval' } },
            { dataset: { name: 'raw', digest: 'd2', sourceType: 'http', source: 'https://example.com/raw.csv' }, tags: {} },
          ],
          loggedModelIds: [],
        },
      },
    ];
    const run = events.reduce(runDecider.evolve, runDecider.initialState);
    expect(factsOfRun(run)).toEqual({
      params: { lr: '0.1' },
      metrics: { auc: 0.94 },
      runTags: { 'mlflow.source.git.commit': '3f2a9c1e', 'mlflow.source.git.repoURL': 'https://git.example.com/risk/fraud.git', 'mlflow.source.name': 'train.py' },
      lineage: {
        datasets: [
          { name: 'tx', uri: 's3://data/tx.parquet', digest: 'd1' },
          { name: 'raw', uri: 'https://example.com/raw.csv', digest: 'd2' },
        ],
        codeRepository: 'https://git.example.com/risk/fraud.git',
        codeCommit: '3f2a9c1e',
        pipeline: 'train.py',
      },
    });
  });
});
