import { describe as describeEvent, facets, timeline } from './timeline';
import type { HistoryEvent } from './timeline';

const event = (type: string, occurredAt: string, actor: string, data: Record<string, unknown> = {}, version: number | null = 2): HistoryEvent => ({ eventId: `${type}-${occurredAt}`, type, occurredAt, actor, version, data });

describe('the timeline', () => {
  const events = [
    event('ModelVersionCreated', '2026-01-01T10:00:00.000Z', 'alice'),
    event('TransitionRequested', '2026-01-01T11:00:00.000Z', 'alice', { fromStage: 'development', toStage: 'production', comment: 'beats v1' }),
    event('TransitionApprovalGiven', '2026-01-01T12:00:00.000Z', 'bob', { comment: 'ok' }),
    event('ModelVersionStageChanged', '2026-01-01T12:00:00.100Z', 'bob', { from: 'development', to: 'production', reason: 'requested' }),
  ];

  it('lists entries newest first, each with its actor and time', () => {
    const items = timeline(events);
    expect(items.map((i) => [i.actor, i.at])).toEqual([
      ['bob', '2026-01-01T12:00:00.100Z'],
      ['bob', '2026-01-01T12:00:00.000Z'],
      ['alice', '2026-01-01T11:00:00.000Z'],
      ['alice', '2026-01-01T10:00:00.000Z'],
    ]);
  });

  it('says what happened in words, with the comment a request or decision carried', () => {
    const items = timeline(events);
    expect(items[0]).toMatchObject({ kind: 'stage', text: 'version 2 moved from development to production' });
    expect(items[1]).toMatchObject({ kind: 'decision', text: 'approved the move of version 2', comment: 'ok' });
    expect(items[2]).toMatchObject({ kind: 'request', text: 'requested version 2 to move from development to production', comment: 'beats v1' });
    expect(items[3]).toMatchObject({ kind: 'registered', text: 'registered version 2' });
  });

  it('names a replaced production version, and keeps unknown event types readable rather than hiding them', () => {
    expect(describeEvent(event('ModelVersionStageChanged', 't', 'bob', { from: 'production', to: 'archived', reason: 'archived-existing' })).text).toBe('version 2 moved from production to archived (replaced by a new production version)');
    expect(describeEvent(event('SomethingNewHappened', 't', 'x'))).toEqual({ kind: 'other', text: 'something new happened' });
  });

  it('offers the actors and event types seen as filter choices', () => {
    expect(facets(events)).toEqual({ actors: ['alice', 'bob'], types: ['ModelVersionCreated', 'ModelVersionStageChanged', 'TransitionApprovalGiven', 'TransitionRequested'] });
  });
});
