import { ALLOWED_STAGE_TRANSITIONS, STAGES, type Stage } from '@mreg/shared/contracts';
import { artifactsSealedIn, canTransition } from './stage-rules';

describe('stage rules', () => {
  const allowed: ReadonlyArray<[Stage, Stage]> = [
    ['development', 'staging'],
    ['development', 'production'],
    ['development', 'archived'],
    ['staging', 'production'],
    ['staging', 'development'],
    ['staging', 'archived'],
    ['production', 'staging'],
    ['production', 'archived'],
    ['archived', 'development'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it('allows nothing else, and never a move to the same stage', () => {
    for (const from of STAGES) {
      for (const to of STAGES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect([from, to, canTransition(from, to)]).toEqual([from, to, expected]);
      }
      expect(canTransition(from, from)).toBe(false);
    }
    expect(Object.values(ALLOWED_STAGE_TRANSITIONS).flat()).toHaveLength(allowed.length);
  });

  it('seals artifacts outside development', () => {
    expect(STAGES.filter(artifactsSealedIn)).toEqual(['staging', 'production', 'archived']);
  });
});
