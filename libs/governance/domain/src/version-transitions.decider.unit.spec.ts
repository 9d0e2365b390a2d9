import { fold } from '@mreg/shared/contracts';
import type { Stage, VersionTransitionsEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { versionTransitionsDecider, type VersionTransitionsCommand } from './version-transitions.decider';

const spec = deciderSpec(versionTransitionsDecider);
const modelId = 'm1';
const version = 3;
const open = (transitionId: string, toStage: Stage = 'staging'): VersionTransitionsCommand => ({ type: 'OpenVersionTransition', data: { modelId, version, transitionId, toStage } });
const close = (transitionId: string): VersionTransitionsCommand => ({ type: 'CloseVersionTransition', data: { modelId, version, transitionId } });
const opened = (transitionId: string, toStage: Stage = 'staging'): VersionTransitionsEvent => ({ type: 'VersionTransitionOpened', data: { modelId, version, transitionId, toStage } });
const closed = (transitionId: string): VersionTransitionsEvent => ({ type: 'VersionTransitionClosed', data: { modelId, version, transitionId } });

describe('version transitions', () => {
  describe('OpenVersionTransition', () => {
    it('opens the first transition', () => {
      spec
        .given([])
        .when(open('t1'))
        .then([opened('t1')]);
    });

    it('opens the next one once the previous is closed', () => {
      spec
        .given([opened('t1'), closed('t1')])
        .when(open('t2', 'production'))
        .then([opened('t2', 'production')]);
    });

    it('refuses a second open transition', () => {
      spec
        .given([opened('t1')])
        .when(open('t2'))
        .thenThrows('CONFLICT', 'version 3 already has an open transition request t1');
    });

    it('is idempotent for the same transition, open or already closed', () => {
      spec
        .given([opened('t1')])
        .when(open('t1'))
        .thenNothingHappens();
      spec
        .given([opened('t1'), closed('t1')])
        .when(open('t1'))
        .thenNothingHappens();
    });
  });

  describe('CloseVersionTransition', () => {
    it('closes the open transition', () => {
      spec
        .given([opened('t1')])
        .when(close('t1'))
        .then([closed('t1')]);
    });

    it('does nothing for a transition that is not open', () => {
      spec.given([]).when(close('t1')).thenNothingHappens();
      spec
        .given([opened('t1'), closed('t1')])
        .when(close('t1'))
        .thenNothingHappens();
      spec
        .given([opened('t1')])
        .when(close('t2'))
        .thenNothingHappens();
    });
  });

  it('keeps every transition ever opened, in order', () => {
    expect(fold(versionTransitionsDecider, [opened('t1'), closed('t1'), opened('t2', 'production')])).toEqual({
      open: { transitionId: 't2', toStage: 'production' },
      transitionIds: ['t1', 't2'],
    });
    expect(fold(versionTransitionsDecider, [opened('t1'), closed('t1'), opened('t2'), closed('t2')])).toEqual({ transitionIds: ['t1', 't2'] });
  });
});
