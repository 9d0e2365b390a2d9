import type { ExperimentEvent, ExperimentNameEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { experimentDecider, type ExperimentCommand } from './experiment.decider';
import { experimentNameDecider } from './experiment-name.decider';

const spec = deciderSpec(experimentDecider);
const names = deciderSpec(experimentNameDecider);
const at = 1_700_000_000_000;
const created = (experimentId = '7', name = 'fraud'): ExperimentEvent => ({
  type: 'ExperimentCreated',
  data: { experimentId, name, artifactLocation: `mlflow-artifacts:/${experimentId}`, tags: {}, at },
});
const create = (experimentId = '7', name = 'fraud', tags: Record<string, string> = {}): ExperimentCommand => ({
  type: 'CreateExperiment',
  data: { experimentId, name, artifactLocation: `mlflow-artifacts:/${experimentId}`, tags, at },
});
const deleted: ExperimentEvent = { type: 'ExperimentDeleted', data: { experimentId: '7', at: at + 1 } };
const reserved = (experimentId: string): ExperimentNameEvent => ({ type: 'ExperimentNameReserved', data: { name: 'fraud', experimentId } });

describe('experiment name', () => {
  it('reserves a free name, once per experiment', () => {
    names
      .given([])
      .when({ type: 'ReserveExperimentName', data: { name: 'fraud', experimentId: '7' } })
      .then([reserved('7')]);
    names
      .given([reserved('7')])
      .when({ type: 'ReserveExperimentName', data: { name: 'fraud', experimentId: '7' } })
      .thenNothingHappens();
  });

  it('refuses a name another experiment holds, unless that experiment never came to exist', () => {
    names
      .given([reserved('7')])
      .when({ type: 'ReserveExperimentName', data: { name: 'fraud', experimentId: '8' } })
      .thenThrows('ALREADY_EXISTS', "Experiment 'fraud' already exists.");
    names
      .given([reserved('7')])
      .when({ type: 'ReserveExperimentName', data: { name: 'fraud', experimentId: '8', holderIsOrphan: true } })
      .then([{ type: 'ExperimentNameReleased', data: { name: 'fraud', experimentId: '7' } }, reserved('8')]);
  });

  it('is released only by its holder', () => {
    names
      .given([reserved('7')])
      .when({ type: 'ReleaseExperimentName', data: { name: 'fraud', experimentId: '8' } })
      .thenNothingHappens();
    names
      .given([reserved('7')])
      .when({ type: 'ReleaseExperimentName', data: { name: 'fraud', experimentId: '7' } })
      .then([{ type: 'ExperimentNameReleased', data: { name: 'fraud', experimentId: '7' } }]);
  });
});

describe('experiment', () => {
  it('is created with its artifact location and tags', () => {
    spec
      .given([])
      .when(create('7', 'fraud', { team: 'risk' }))
      .then([{ type: 'ExperimentCreated', data: { experimentId: '7', name: 'fraud', artifactLocation: 'mlflow-artifacts:/7', tags: { team: 'risk' }, at } }]);
  });

  it('creating the same experiment again changes nothing (the default experiment is created on demand)', () => {
    spec
      .given([created('0', 'Default')])
      .when(create('0', 'Default'))
      .thenNothingHappens();
    spec
      .given([created('7')])
      .when(create('7', 'other'))
      .thenThrows('ALREADY_EXISTS');
  });

  it('refuses an empty or over-long name and bad tags', () => {
    spec.given([]).when(create('7', '')).thenThrows('INVALID_ARGUMENT', "Invalid experiment name: ''");
    spec
      .given([])
      .when(create('7', 'x'.repeat(501)))
      .thenThrows('INVALID_ARGUMENT', 'maximum length of 500');
    spec
      .given([])
      .when(create('7', 'fraud', { 'a/../b': 'v' }))
      .thenThrows('INVALID_ARGUMENT', 'resolve to other names');
    spec
      .given([])
      .when(create('7', 'fraud', { 'bad!key': 'v' }))
      .thenThrows('INVALID_ARGUMENT', 'Names may only contain');
  });

  it('sets tags and renames while active; refuses both once deleted', () => {
    spec
      .given([created()])
      .when({ type: 'SetExperimentTag', data: { key: 'team', value: 'risk', at } })
      .then([{ type: 'ExperimentTagSet', data: { experimentId: '7', key: 'team', value: 'risk', at } }]);
    spec
      .given([created()])
      .when({ type: 'RenameExperiment', data: { newName: 'fraud-2', at } })
      .then([{ type: 'ExperimentRenamed', data: { experimentId: '7', from: 'fraud', to: 'fraud-2', at } }]);
    spec
      .given([created(), deleted])
      .when({ type: 'SetExperimentTag', data: { key: 'team', value: 'risk', at } })
      .thenThrows('INVALID_ARGUMENT', "must be in the 'active' state");
    spec
      .given([created(), deleted])
      .when({ type: 'RenameExperiment', data: { newName: 'x', at } })
      .thenThrows('INVALID_ARGUMENT');
  });

  it('deletes a tag it has while active; a missing tag is NOT_FOUND, as on MLflow', () => {
    const tagged = { type: 'ExperimentTagSet', data: { experimentId: '7', key: 'team', value: 'risk', at } } as const;
    spec
      .given([created(), tagged])
      .when({ type: 'DeleteExperimentTag', data: { key: 'team', at: at + 3 } })
      .then([{ type: 'ExperimentTagDeleted', data: { experimentId: '7', key: 'team', at: at + 3 } }]);
    spec
      .given([created(), tagged, { type: 'ExperimentTagDeleted', data: { experimentId: '7', key: 'team', at: at + 3 } }])
      .when({ type: 'DeleteExperimentTag', data: { key: 'team', at } })
      .thenThrows('NOT_FOUND', 'No tag with name: team in experiment with id 7');
    spec
      .given([created(), tagged, deleted])
      .when({ type: 'DeleteExperimentTag', data: { key: 'team', at } })
      .thenThrows('INVALID_ARGUMENT', "must be in the 'active' state");
    spec
      .given([created()])
      .when({ type: 'DeleteExperimentTag', data: { key: 'constructor', at } })
      .thenThrows('NOT_FOUND');
  });

  it('keeps last_update_time when tags change, as MLflow does', () => {
    spec
      .given([created(), { type: 'ExperimentTagSet', data: { experimentId: '7', key: 'k', value: 'v', at: at + 5 } }, { type: 'ExperimentTagDeleted', data: { experimentId: '7', key: 'k', at: at + 6 } }])
      .when({ type: 'SetExperimentTag', data: { key: 'k', value: 'v', at: at + 7 } })
      .thenState((s) => expect(s).toMatchObject({ tags: { k: 'v' }, lastUpdateTime: at }));
  });

  it('is deleted and restored; restoring an active experiment is refused', () => {
    spec
      .given([created()])
      .when({ type: 'DeleteExperiment', data: { at: at + 1 } })
      .then([deleted]);
    spec.given([created(), deleted]).when({ type: 'DeleteExperiment', data: { at } }).thenNothingHappens();
    spec
      .given([created(), deleted])
      .when({ type: 'RestoreExperiment', data: { at: at + 2 } })
      .then([{ type: 'ExperimentRestored', data: { experimentId: '7', at: at + 2 } }]);
    spec.given([created()]).when({ type: 'RestoreExperiment', data: { at } }).thenThrows('INVALID_ARGUMENT', 'Cannot restore an active experiment');
  });

  it('never deletes the default experiment', () => {
    spec
      .given([created('0', 'Default')])
      .when({ type: 'DeleteExperiment', data: { at } })
      .thenThrows('INVALID_ARGUMENT', 'default experiment');
  });

  it('refuses changes to an experiment that does not exist', () => {
    spec
      .given([])
      .when({ type: 'SetExperimentTag', data: { key: 'a', value: 'b', at } })
      .thenThrows('NOT_FOUND');
    spec.given([]).when({ type: 'DeleteExperiment', data: { at } }).thenThrows('NOT_FOUND');
  });

  it('folds name, tags, lifecycle and times', () => {
    spec
      .given([created(), { type: 'ExperimentTagSet', data: { experimentId: '7', key: 'k', value: 'v', at: at + 5 } }])
      .when({ type: 'DeleteExperiment', data: { at: at + 9 } })
      .thenState((s) => expect(s).toMatchObject({ name: 'fraud', tags: { k: 'v' }, lifecycle: 'deleted', creationTime: at, lastUpdateTime: at + 9 }));
  });
});
