import { fold } from '@mreg/shared/contracts';
import type { ModelNameEvent } from '@mreg/shared/contracts';
import { deciderSpec } from '@mreg/testing/contracts';
import { canTakeOver, modelNameDecider } from './model-name.decider';

const spec = deciderSpec(modelNameDecider);
const reserved = (modelId: string): ModelNameEvent => ({ type: 'ModelNameReserved', data: { name: 'fraud', modelId } });
const released = (modelId: string): ModelNameEvent => ({ type: 'ModelNameReleased', data: { name: 'fraud', modelId } });

describe('model name', () => {
  describe('ReserveModelName', () => {
    it('reserves a free name', () => {
      spec
        .given([])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm1' } })
        .then([reserved('m1')]);
    });

    it('reserves a name released before', () => {
      spec
        .given([reserved('m1'), released('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm2' } })
        .then([reserved('m2')]);
    });

    it('gives a restored model its released name back, unless another model took it meanwhile', () => {
      spec
        .given([reserved('m1'), released('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm1' } })
        .then([reserved('m1')]);
      spec
        .given([reserved('m1'), released('m1'), reserved('m2')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm1' } })
        .thenThrows('ALREADY_EXISTS', 'a model named fraud already exists');
    });

    it('is idempotent for the holder', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm1' } })
        .thenNothingHappens();
    });

    it('refuses a name another model holds', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm2' } })
        .thenThrows('ALREADY_EXISTS', 'a model named fraud already exists');
    });

    it('refuses when the caller says the holder is not an orphan', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm2', holderIsOrphan: false } })
        .thenThrows('ALREADY_EXISTS');
    });

    it('takes over an orphaned reservation, releasing it for the old holder first', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReserveModelName', data: { name: 'fraud', modelId: 'm2', holderIsOrphan: true } })
        .then([released('m1'), reserved('m2')]);
    });
  });

  describe('ReleaseModelName', () => {
    it('releases the name for its holder', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReleaseModelName', data: { name: 'fraud', modelId: 'm1' } })
        .then([released('m1')]);
    });

    it('does nothing for another model', () => {
      spec
        .given([reserved('m1')])
        .when({ type: 'ReleaseModelName', data: { name: 'fraud', modelId: 'm2' } })
        .thenNothingHappens();
    });

    it('does nothing for a free name', () => {
      spec
        .given([])
        .when({ type: 'ReleaseModelName', data: { name: 'fraud', modelId: 'm1' } })
        .thenNothingHappens();
      spec
        .given([reserved('m1'), released('m1')])
        .when({ type: 'ReleaseModelName', data: { name: 'fraud', modelId: 'm1' } })
        .thenNothingHappens();
    });
  });

  describe('canTakeOver', () => {
    it('allows a free name or one whose holder does not exist', () => {
      expect(canTakeOver(fold(modelNameDecider, []), true)).toBe(true);
      expect(canTakeOver(fold(modelNameDecider, [reserved('m1')]), false)).toBe(true);
      expect(canTakeOver(fold(modelNameDecider, [reserved('m1')]), true)).toBe(false);
    });
  });

  it('folds to the current holder', () => {
    expect(fold(modelNameDecider, [reserved('m1'), released('m1'), reserved('m2')])).toEqual({ holder: 'm2' });
    expect(fold(modelNameDecider, [reserved('m1'), released('m1')])).toEqual({});
  });
});
