import { artifactsSealedIn, fold } from '@mreg/shared/contracts';
import type { ModelVersionCreated, ModelVersionEvent, Stage } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { modelVersionDecider, type ModelVersionCommand } from './model-version.decider';

const spec = deciderSpec(modelVersionDecider);
const modelId = 'm1';
const version = 3;
const creation: ModelVersionCreated['data'] = {
  modelId,
  modelName: 'fraud',
  version,
  description: 'gbm, 400 trees',
  runId: 'run-42',
  params: { trees: '400' },
  metrics: { auc: 0.93 },
  tags: { team: 'risk' },
  lineage: { datasets: [{ name: 'payments', uri: 's3://d/payments', digest: 'sha256:ab' }], codeRepository: 'git@x:fraud.git', codeCommit: 'abc123' },
  signature: { inputs: [{ name: 'amount', type: 'double' }] },
};
const created: ModelVersionEvent = { type: 'ModelVersionCreated', data: creation };
const changed = (from: Stage, to: Stage, transitionId: string, reason: 'requested' | 'archived-existing' = 'requested'): ModelVersionEvent => ({
  type: 'ModelVersionStageChanged',
  data: { modelId, version, from, to, transitionId, reason },
});
const refused = (transitionId: string, reason: string): ModelVersionEvent => ({ type: 'ModelVersionStageChangeRefused', data: { modelId, version, transitionId, reason } });
const deleted: ModelVersionEvent = { type: 'ModelVersionDeleted', data: { modelId, version } };
const apply = (transitionId: string, from: Stage, to: Stage, reason: 'requested' | 'archived-existing' = 'requested'): ModelVersionCommand => ({
  type: 'ApplyStageChange',
  data: { transitionId, from, to, reason },
});

describe('model version', () => {
  describe('CreateModelVersion', () => {
    it('creates the version in development', () => {
      spec.given([]).when({ type: 'CreateModelVersion', data: creation }).then([created]);
      spec
        .given([])
        .when({ type: 'CreateModelVersion', data: creation })
        .thenState((state) => expect(state).toMatchObject({ exists: true, deleted: false, stage: 'development', ...creation }));
    });

    it('refuses to create it twice', () => {
      spec.given([created]).when({ type: 'CreateModelVersion', data: creation }).thenThrows('ALREADY_EXISTS', 'version 3 of model fraud already exists');
    });

    it('refuses a version number that is not a positive integer', () => {
      spec
        .given([])
        .when({ type: 'CreateModelVersion', data: { ...creation, version: 0 } })
        .thenThrows('INVALID_ARGUMENT');
      spec
        .given([])
        .when({ type: 'CreateModelVersion', data: { ...creation, version: 1.5 } })
        .thenThrows('INVALID_ARGUMENT');
    });

    it('refuses metrics that are not finite numbers', () => {
      spec
        .given([])
        .when({ type: 'CreateModelVersion', data: { ...creation, metrics: { auc: Number.NaN } } })
        .thenThrows('INVALID_ARGUMENT', 'metric auc');
      spec
        .given([])
        .when({ type: 'CreateModelVersion', data: { ...creation, metrics: { loss: Infinity } } })
        .thenThrows('INVALID_ARGUMENT');
    });
  });

  describe('on a missing or deleted version', () => {
    const commands: ModelVersionCommand[] = [
      { type: 'ChangeVersionDescription', data: { description: 'x' } },
      { type: 'SetVersionTag', data: { key: 'a', value: 'b' } },
      { type: 'RemoveVersionTag', data: { key: 'team' } },
      { type: 'DeleteModelVersion', data: {} },
    ];

    it.each(commands.map((c) => [c.type, c] as const))('%s is NOT_FOUND', (_type, command) => {
      spec.given([]).when(command).thenThrows('NOT_FOUND');
      spec.given([created, deleted]).when(command).thenThrows('NOT_FOUND', 'version 3 of model fraud not found');
    });

    it('ApplyStageChange is NOT_FOUND when the version never existed', () => {
      spec
        .given([])
        .when(apply('t1', 'development', 'staging'))
        .thenThrows('NOT_FOUND');
    });
  });

  describe('description and tags', () => {
    it('changes the description', () => {
      spec
        .given([created])
        .when({ type: 'ChangeVersionDescription', data: { description: 'gbm, 500 trees' } })
        .then([{ type: 'ModelVersionDescriptionChanged', data: { modelId, version, description: 'gbm, 500 trees' } }]);
    });

    it('does nothing for the same description', () => {
      spec
        .given([created])
        .when({ type: 'ChangeVersionDescription', data: { description: 'gbm, 400 trees' } })
        .thenNothingHappens();
    });

    it('sets a tag', () => {
      spec
        .given([created])
        .when({ type: 'SetVersionTag', data: { key: 'validated', value: 'yes' } })
        .then([{ type: 'ModelVersionTagSet', data: { modelId, version, key: 'validated', value: 'yes' } }]);
    });

    it('does nothing when the tag already has that value', () => {
      spec
        .given([created])
        .when({ type: 'SetVersionTag', data: { key: 'team', value: 'risk' } })
        .thenNothingHappens();
    });

    it('removes a tag', () => {
      spec
        .given([created])
        .when({ type: 'RemoveVersionTag', data: { key: 'team' } })
        .then([{ type: 'ModelVersionTagRemoved', data: { modelId, version, key: 'team' } }]);
    });

    it('refuses to remove a missing tag', () => {
      spec
        .given([created])
        .when({ type: 'RemoveVersionTag', data: { key: 'validated' } })
        .thenThrows('NOT_FOUND', 'has no tag validated');
      spec
        .given([created])
        .when({ type: 'RemoveVersionTag', data: { key: 'hasOwnProperty' } })
        .thenThrows('NOT_FOUND');
    });
  });

  describe('ApplyStageChange', () => {
    it('changes the stage', () => {
      spec
        .given([created])
        .when(apply('t1', 'development', 'staging'))
        .then([changed('development', 'staging', 't1')]);
    });

    it('archives a replaced production version', () => {
      spec
        .given([created, changed('development', 'production', 't1')])
        .when(apply('t2', 'production', 'archived', 'archived-existing'))
        .then([changed('production', 'archived', 't2', 'archived-existing')]);
    });

    it('is idempotent per transition', () => {
      spec
        .given([created, changed('development', 'staging', 't1')])
        .when(apply('t1', 'development', 'staging'))
        .thenNothingHappens();
      spec
        .given([created, refused('t1', 'version is in staging, not development')])
        .when(apply('t1', 'development', 'staging'))
        .thenNothingHappens();
    });

    it('records a refusal when the version is no longer in the expected stage', () => {
      spec
        .given([created, changed('development', 'staging', 't1')])
        .when(apply('t2', 'development', 'production'))
        .then([refused('t2', 'version is in staging, not development')]);
    });

    it('records a refusal when the version was deleted', () => {
      spec
        .given([created, deleted])
        .when(apply('t1', 'development', 'staging'))
        .then([refused('t1', 'version was deleted')]);
    });

    it('records a refusal for a move the stage rules forbid', () => {
      spec
        .given([created])
        .when(apply('t1', 'development', 'development'))
        .then([refused('t1', 'a version cannot move from development to development')]);
      spec
        .given([created, changed('development', 'archived', 't1')])
        .when(apply('t2', 'archived', 'production'))
        .then([refused('t2', 'a version cannot move from archived to production')]);
    });

    it('keeps the applied transitions in order', () => {
      spec
        .given([created, changed('development', 'staging', 't1')])
        .when(apply('t2', 'staging', 'production'))
        .thenState((state) => expect(state).toMatchObject({ stage: 'production', appliedTransitionIds: ['t1', 't2'] }));
    });
  });

  describe('DeleteModelVersion', () => {
    it('deletes a version outside production', () => {
      spec.given([created]).when({ type: 'DeleteModelVersion', data: {} }).then([deleted]);
      spec
        .given([created, changed('development', 'production', 't1'), changed('production', 'archived', 't2')])
        .when({ type: 'DeleteModelVersion', data: {} })
        .then([deleted]);
    });

    it('refuses a version in production', () => {
      spec
        .given([created, changed('development', 'production', 't1')])
        .when({ type: 'DeleteModelVersion', data: {} })
        .thenThrows('FAILED_PRECONDITION', 'is in production');
    });
  });

  describe('sealed artifacts', () => {
    const isSealed = (events: readonly ModelVersionEvent[]) => artifactsSealedIn(fold(modelVersionDecider, events).stage);
    it('is false in development and true once the version left it', () => {
      expect(isSealed([created])).toBe(false);
      expect(isSealed([created, changed('development', 'staging', 't1')])).toBe(true);
      expect(isSealed([created, changed('development', 'archived', 't1')])).toBe(true);
      // restored to development: open again
      expect(isSealed([created, changed('development', 'archived', 't1'), changed('archived', 'development', 't2')])).toBe(false);
    });
  });

  it('folds the whole history', () => {
    const state = fold(modelVersionDecider, [
      created,
      { type: 'ModelVersionDescriptionChanged', data: { modelId, version, description: 'd2' } },
      { type: 'ModelVersionTagSet', data: { modelId, version, key: 'validated', value: 'yes' } },
      { type: 'ModelVersionTagRemoved', data: { modelId, version, key: 'team' } },
      changed('development', 'staging', 't1'),
      refused('t2', 'version is in staging, not development'),
      deleted,
    ]);
    expect(state).toEqual({
      ...creation,
      exists: true,
      deleted: true,
      description: 'd2',
      tags: { validated: 'yes' },
      stage: 'staging',
      appliedTransitionIds: ['t1'],
      refusedTransitionIds: ['t2'],
    });
  });
});
