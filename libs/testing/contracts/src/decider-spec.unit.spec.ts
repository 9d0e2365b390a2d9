import { DomainError } from '@mreg/shared/contracts';
import { deciderSpec } from './decider-spec';

type Counted = { type: 'Counted'; data: { by: number } };
const counter = deciderSpec({
  initialState: 0,
  evolve: (state: number, event: Counted) => state + event.data.by,
  decide: (command: { by: number }, state: number): Counted[] => {
    if (command.by === 0) return [];
    if (state + command.by > 10) throw new DomainError('CONFLICT', 'over ten');
    if (command.by < 0) throw new Error('not a domain error');
    return [{ type: 'Counted', data: { by: command.by } }];
  },
});
const counted = (by: number): Counted => ({ type: 'Counted', data: { by } });

describe('deciderSpec', () => {
  it('passes when the decider agrees', () => {
    counter
      .given([counted(2)])
      .when({ by: 3 })
      .then([counted(3)]);
    counter
      .given([counted(2)])
      .when({ by: 0 })
      .thenNothingHappens();
    counter
      .given([counted(9)])
      .when({ by: 2 })
      .thenThrows('CONFLICT', 'over ten');
    counter
      .given([counted(2)])
      .when({ by: 3 })
      .thenState((state) => expect(state).toBe(5));
  });

  it('fails when the decider disagrees', () => {
    expect(() =>
      counter
        .given([])
        .when({ by: 3 })
        .then([counted(4)]),
    ).toThrow();
    expect(() => counter.given([]).when({ by: 3 }).thenNothingHappens()).toThrow();
    expect(() => counter.given([]).when({ by: 3 }).thenThrows('CONFLICT')).toThrow(/expected CONFLICT/);
    expect(() =>
      counter
        .given([counted(9)])
        .when({ by: 2 })
        .thenThrows('NOT_FOUND'),
    ).toThrow();
    expect(() =>
      counter
        .given([counted(9)])
        .when({ by: 2 })
        .thenThrows('CONFLICT', 'under'),
    ).toThrow();
    expect(() => counter.given([]).when({ by: -1 }).thenThrows('CONFLICT')).toThrow();
  });
});
