import type { MetricPoint, RunEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { latestMetrics, runDecider, type CreateRun, type RunCommand } from './run.decider';

const spec = deciderSpec(runDecider);
const runId = '0123456789abcdef0123456789abcdef';
const t = 1_700_000_000_000;
const createData = (overrides: Partial<CreateRun['data']> = {}): CreateRun['data'] => ({
  runId,
  experimentId: '1',
  experimentLifecycle: 'active',
  userId: 'ann',
  runName: 'brave-owl-1',
  startTime: t,
  tags: [{ key: 'mlflow.source.name', value: 'train.py' }],
  artifactUri: `mlflow-artifacts:/1/${runId}/artifacts`,
  ...overrides,
});
const create = (overrides: Partial<CreateRun['data']> = {}): RunCommand => ({ type: 'CreateRun', data: createData(overrides) });
const created: RunEvent = {
  type: 'RunCreated',
  data: { runId, experimentId: '1', userId: 'ann', runName: 'brave-owl-1', startTime: t, tags: { 'mlflow.source.name': 'train.py', 'mlflow.runName': 'brave-owl-1' }, artifactUri: `mlflow-artifacts:/1/${runId}/artifacts` },
};
const deleted: RunEvent = { type: 'RunDeleted', data: { runId, at: t + 1 } };
const batch = (params: [string, string][] = [], metrics: MetricPoint[] = [], tags: [string, string][] = []): RunCommand => ({
  type: 'LogRunBatch',
  data: { params: params.map(([key, value]) => ({ key, value })), metrics, tags: tags.map(([key, value]) => ({ key, value })) },
});
const metric = (key: string, value: MetricPoint['value'], step = 0, timestamp = t): MetricPoint => ({ key, value, timestamp, step });
const paramsLogged = (params: Record<string, string>): RunEvent => ({ type: 'RunParamsLogged', data: { runId, params } });

describe('run', () => {
  describe('CreateRun', () => {
    it('creates a run whose name is also its mlflow.runName tag', () => {
      spec.given([]).when(create()).then([created]);
    });

    it('refuses a missing or deleted experiment', () => {
      spec
        .given([])
        .when(create({ experimentLifecycle: null }))
        .thenThrows('NOT_FOUND', 'No Experiment with id=1 exists');
      spec
        .given([])
        .when(create({ experimentLifecycle: 'deleted' }))
        .thenThrows('INVALID_ARGUMENT', "must be in the 'active' state");
    });

    it('refuses a run name that contradicts the mlflow.runName tag, and an over-long one', () => {
      spec
        .given([])
        .when(create({ tags: [{ key: 'mlflow.runName', value: 'other' }] }))
        .thenThrows('INVALID_ARGUMENT', 'different values');
      spec
        .given([])
        .when(create({ runName: 'x'.repeat(251) }))
        .thenThrows('INVALID_ARGUMENT', 'length limit of 250');
    });

    it('refuses a second creation of the same run', () => {
      spec.given([created]).when(create()).thenThrows('ALREADY_EXISTS');
    });
  });

  describe('params', () => {
    it('logs new params; the same value again changes nothing', () => {
      spec
        .given([created])
        .when(batch([['lr', '0.1']]))
        .then([paramsLogged({ lr: '0.1' })]);
      spec
        .given([created, paramsLogged({ lr: '0.1' })])
        .when(batch([['lr', '0.1']]))
        .thenNothingHappens();
      spec
        .given([created, paramsLogged({ lr: '0.1' })])
        .when(
          batch([
            ['lr', '0.1'],
            ['depth', '3'],
          ]),
        )
        .then([paramsLogged({ depth: '3' })]);
    });

    it('never changes a logged param (MLflow: INVALID_PARAMETER_VALUE)', () => {
      spec
        .given([created, paramsLogged({ lr: '0.1' })])
        .when(batch([['lr', '0.2']]))
        .thenThrows('INVALID_ARGUMENT', "Changing param values is not allowed. Param with key='lr' was already logged with value='0.1'");
    });

    it('refuses one key with two values in one batch', () => {
      spec
        .given([created])
        .when(
          batch([
            ['lr', '0.1'],
            ['lr', '0.2'],
          ]),
        )
        .thenThrows('INVALID_ARGUMENT', 'Duplicate parameter keys');
    });

    it('applies MLflow limits to keys and values', () => {
      spec
        .given([created])
        .when(batch([['k'.repeat(251), 'v']]))
        .thenThrows('INVALID_ARGUMENT', 'length limit of 250');
      spec
        .given([created])
        .when(batch([['lr', 'v'.repeat(6001)]]))
        .thenThrows('INVALID_ARGUMENT', 'length limit of 6000');
      spec
        .given([created])
        .when(batch([['lr', 'v'.repeat(6000)]]))
        .then([paramsLogged({ lr: 'v'.repeat(6000) })]);
      spec
        .given([created])
        .when(batch([['a;b', 'v']]))
        .thenThrows('INVALID_ARGUMENT', 'Names may only contain');
      spec
        .given([created])
        .when(batch([['../x', 'v']]))
        .thenThrows('INVALID_ARGUMENT');
      spec
        .given([created])
        .when(batch([['', 'v']]))
        .thenThrows('INVALID_ARGUMENT');
      spec
        .given([created])
        .when(batch([['train/loss:a b.c-d_e', 'v']]))
        .then([paramsLogged({ 'train/loss:a b.c-d_e': 'v' })]);
    });
  });

  describe('metrics and tags', () => {
    it('keeps every metric value (the history) and reports the latest by step, then timestamp', () => {
      const logged: RunEvent = { type: 'RunMetricsLogged', data: { runId, metrics: [metric('acc', 0.9, 0), metric('acc', 0.95, 1), metric('acc', 0.5, 0, t + 10)] } };
      spec
        .given([created])
        .when(batch([], [metric('acc', 0.9, 0)]))
        .then([{ type: 'RunMetricsLogged', data: { runId, metrics: [metric('acc', 0.9, 0)] } }]);
      spec
        .given([created, logged])
        .when(batch([], [metric('loss', 'NaN')]))
        .thenState((s) => {
          expect(s.metrics).toHaveLength(4);
          expect(latestMetrics(s)).toEqual([metric('acc', 0.95, 1), metric('loss', 'NaN')]);
        });
    });

    it('refuses a metric value that is not a number', () => {
      spec
        .given([created])
        .when(batch([], [metric('acc', Number.NaN)]))
        .thenThrows('INVALID_ARGUMENT', 'invalid value');
      spec
        .given([created])
        .when(batch([], [{ ...metric('acc', 1), step: 1.5 }]))
        .thenThrows('INVALID_ARGUMENT', 'step');
      spec
        .given([created])
        .when(batch([], [{ ...metric('acc', 1), timestamp: -1 }]))
        .thenThrows('INVALID_ARGUMENT', 'timestamp');
    });

    it('sets tags (only changed ones); the mlflow.runName tag renames the run', () => {
      spec
        .given([created])
        .when(
          batch(
            [],
            [],
            [
              ['team', 'risk'],
              ['mlflow.source.name', 'train.py'],
            ],
          ),
        )
        .then([{ type: 'RunTagsSet', data: { runId, tags: { team: 'risk' } } }]);
      spec
        .given([created])
        .when(batch([], [], [['mlflow.runName', 'renamed']]))
        .thenState((s) => expect(s.runName).toBe('renamed'));
      spec
        .given([created])
        .when(batch([], [], [['team', 'v'.repeat(8001)]]))
        .thenThrows('INVALID_ARGUMENT', 'length limit of 8000');
    });

    it('logs params, metrics and tags of one batch as one decision, or nothing when any is refused', () => {
      spec
        .given([created])
        .when(batch([['lr', '0.1']], [metric('acc', 1)], [['team', 'risk']]))
        .then([paramsLogged({ lr: '0.1' }), { type: 'RunMetricsLogged', data: { runId, metrics: [metric('acc', 1)] } }, { type: 'RunTagsSet', data: { runId, tags: { team: 'risk' } } }]);
      spec
        .given([created])
        .when(batch([['lr', '0.1']], [metric('acc', 1)], [['bad!', 'x']]))
        .thenThrows('INVALID_ARGUMENT');
    });

    it('bounds a batch like MLflow', () => {
      const params = Array.from({ length: 101 }, (_, i): [string, string] => [`p${i}`, 'v']);
      spec.given([created]).when(batch(params)).thenThrows('INVALID_ARGUMENT', 'at most 100 params');
      const metrics = Array.from({ length: 1001 }, (_, i) => metric(`m${i}`, 1));
      spec.given([created]).when(batch([], metrics)).thenThrows('INVALID_ARGUMENT', 'at most 1000 metrics');
    });

    it('deletes a tag it has; a missing tag is NOT_FOUND', () => {
      spec
        .given([created])
        .when({ type: 'DeleteRunTag', data: { key: 'mlflow.source.name' } })
        .then([{ type: 'RunTagDeleted', data: { runId, key: 'mlflow.source.name' } }]);
      spec
        .given([created])
        .when({ type: 'DeleteRunTag', data: { key: 'nope' } })
        .thenThrows('NOT_FOUND', 'No tag with name: nope');
    });
  });

  describe('status, inputs, outputs, lifecycle', () => {
    it('updates status, end time and name (only what changed)', () => {
      spec
        .given([created])
        .when({ type: 'UpdateRun', data: { status: 'FINISHED', endTime: t + 5 } })
        .then([{ type: 'RunUpdated', data: { runId, status: 'FINISHED', endTime: t + 5 } }]);
      spec
        .given([created])
        .when({ type: 'UpdateRun', data: { status: 'RUNNING' } })
        .thenNothingHappens();
      spec
        .given([created])
        .when({ type: 'UpdateRun', data: { runName: 'new' } })
        .thenState((s) => expect(s.tags['mlflow.runName']).toBe('new'));
    });

    it('logs each dataset input once', () => {
      const input = { dataset: { name: 'tx', digest: 'abc123', sourceType: 'local', source: '{"uri": "s3://data/tx.parquet"}' }, tags: { 'mlflow.data.context': 'train' } };
      const logged: RunEvent = { type: 'RunInputsLogged', data: { runId, datasets: [input], loggedModelIds: [] } };
      spec
        .given([created])
        .when({ type: 'LogRunInputs', data: { datasets: [input, input], loggedModelIds: [] } })
        .then([logged]);
      spec
        .given([created, logged])
        .when({ type: 'LogRunInputs', data: { datasets: [input], loggedModelIds: [] } })
        .thenNothingHappens();
      spec
        .given([created])
        .when({ type: 'LogRunInputs', data: { datasets: [{ ...input, dataset: { ...input.dataset, digest: 'x'.repeat(37) } }], loggedModelIds: [] } })
        .thenThrows('INVALID_ARGUMENT', 'digest');
    });

    it('logs each model output once', () => {
      const out = { loggedModelId: 'm-1', step: 0 };
      spec
        .given([created])
        .when({ type: 'LogRunOutputs', data: { models: [out] } })
        .then([{ type: 'RunOutputsLogged', data: { runId, models: [out] } }]);
      spec
        .given([created, { type: 'RunOutputsLogged', data: { runId, models: [out] } }])
        .when({ type: 'LogRunOutputs', data: { models: [out] } })
        .thenNothingHappens();
    });

    it('a deleted run takes no more data until restored; delete and restore are idempotent', () => {
      spec
        .given([created, deleted])
        .when(batch([['lr', '1']]))
        .thenThrows('INVALID_ARGUMENT', "must be in the 'active' state. Current state is deleted.");
      spec
        .given([created, deleted])
        .when({ type: 'DeleteRun', data: { at: t } })
        .thenNothingHappens();
      spec
        .given([created, deleted])
        .when({ type: 'RestoreRun', data: { at: t + 2 } })
        .then([{ type: 'RunRestored', data: { runId, at: t + 2 } }]);
      spec
        .given([created])
        .when({ type: 'RestoreRun', data: { at: t } })
        .thenNothingHappens();
    });

    it('refuses every change to a run that does not exist', () => {
      spec
        .given([])
        .when(batch([['a', 'b']]))
        .thenThrows('NOT_FOUND');
      spec
        .given([])
        .when({ type: 'DeleteRun', data: { at: t } })
        .thenThrows('NOT_FOUND');
    });
  });
});
