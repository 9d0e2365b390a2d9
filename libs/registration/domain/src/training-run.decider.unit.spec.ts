import { fold } from '@mreg/shared/contracts';
import type { TrainingRunEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { trainingRunDecider } from './training-run.decider';

const spec = deciderSpec(trainingRunDecider);
const linked = (version: number): TrainingRunEvent => ({ type: 'TrainingRunLinked', data: { modelId: 'm1', runId: 'run-1', version } });

describe('training run', () => {
  describe('LinkTrainingRun', () => {
    it('links a run to the version allocated for it', () => {
      spec
        .given([])
        .when({ type: 'LinkTrainingRun', data: { modelId: 'm1', runId: 'run-1', version: 3 } })
        .then([linked(3)]);
    });

    it('is idempotent for the version already linked', () => {
      spec
        .given([linked(3)])
        .when({ type: 'LinkTrainingRun', data: { modelId: 'm1', runId: 'run-1', version: 3 } })
        .thenNothingHappens();
    });

    it('refuses to link another version: one run registers one version', () => {
      spec
        .given([linked(3)])
        .when({ type: 'LinkTrainingRun', data: { modelId: 'm1', runId: 'run-1', version: 4 } })
        .thenThrows('ALREADY_EXISTS', 'training run run-1 already registered version 3');
    });

    it('refuses a version number that is not a positive integer', () => {
      spec
        .given([])
        .when({ type: 'LinkTrainingRun', data: { modelId: 'm1', runId: 'run-1', version: 0 } })
        .thenThrows('INVALID_ARGUMENT');
    });
  });

  it('folds to the first link', () => {
    expect(fold(trainingRunDecider, [])).toEqual({});
    expect(fold(trainingRunDecider, [linked(2), linked(5)])).toEqual({ linked: { runId: 'run-1', version: 2 } });
  });
});
