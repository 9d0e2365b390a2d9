import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { canonicalJson, computeEventHash, verifyChain } from './event-chain';

const streamId = 'model-m1';

/** A chained stream of `n` recorded events, hashed the way writers do it. */
function recordedChain(n: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let prevHash = '';
  for (let revision = 0; revision < n; revision++) {
    const type = revision === 0 ? 'ModelRegistered' : 'ModelTagSet';
    const data = { modelId: 'm1', key: `k${revision}`, value: 'v' };
    const metadata: Omit<EventMetadata, 'hash'> = {
      eventId: `e${revision}`,
      schemaVersion: 1,
      occurredAt: '2025-03-03T10:00:00.000Z',
      actor: 'user:ada',
      correlationId: 'c1',
      prevHash,
    };
    const hash = computeEventHash({ streamId, revision, type, data, metadata });
    events.push({ streamId, streamRevision: revision, position: BigInt(revision + 1), type, data, metadata: { ...metadata, hash } });
    prevHash = hash;
  }
  return events;
}

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });
});

describe('computeEventHash', () => {
  const input = {
    streamId,
    revision: 0,
    type: 'ModelRegistered',
    data: { name: 'fraud', tags: { team: 'risk' } },
    metadata: {
      eventId: 'e0',
      schemaVersion: 1,
      occurredAt: '2025-03-03T10:00:00.000Z',
      actor: 'user:ada',
      correlationId: 'c1',
      prevHash: '',
    },
  };

  it('is a lowercase sha256 hex digest', () => {
    expect(computeEventHash(input)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', () => {
    const reordered = { ...input, data: { tags: { team: 'risk' }, name: 'fraud' } };
    expect(computeEventHash(reordered)).toBe(computeEventHash(input));
  });

  it('ignores a hash already present in the metadata', () => {
    const withHash = { ...input, metadata: { ...input.metadata, hash: 'whatever' } };
    expect(computeEventHash(withHash)).toBe(computeEventHash(input));
  });

  it.each([
    ['stream id', { ...input, streamId: 'model-m2' }],
    ['revision', { ...input, revision: 1 }],
    ['type', { ...input, type: 'ModelRenamed' }],
    ['data', { ...input, data: { name: 'fraud2', tags: { team: 'risk' } } }],
    ['actor', { ...input, metadata: { ...input.metadata, actor: 'user:eve' } }],
    ['previous hash', { ...input, metadata: { ...input.metadata, prevHash: 'ab' } }],
  ])('changes when the %s changes', (_what, changed) => {
    expect(computeEventHash(changed)).not.toBe(computeEventHash(input));
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and an empty stream', () => {
    expect(verifyChain(recordedChain(4))).toEqual({ valid: true });
    expect(verifyChain([])).toEqual({ valid: true });
  });

  it('finds an event whose data was altered', () => {
    const events = recordedChain(4);
    events[2] = { ...events[2], data: { modelId: 'm1', key: 'k2', value: 'tampered' } };
    expect(verifyChain(events)).toEqual({ valid: false, brokenAt: 2 });
  });

  it('finds a removed event by the broken link', () => {
    const events = recordedChain(4);
    events.splice(1, 1);
    expect(verifyChain(events)).toEqual({ valid: false, brokenAt: 1 });
  });

  it('finds a re-hashed event by the link of the next one', () => {
    const events = recordedChain(3);
    const forged = { ...events[1], data: { forged: true } };
    const { hash: _old, ...metadata } = forged.metadata;
    const hash = computeEventHash({ streamId, revision: 1, type: forged.type, data: forged.data, metadata });
    events[1] = { ...forged, metadata: { ...metadata, hash } };
    expect(verifyChain(events)).toEqual({ valid: false, brokenAt: 2 });
  });

  it('requires the first event to start the chain', () => {
    const events = recordedChain(3).slice(1);
    expect(verifyChain(events)).toEqual({ valid: false, brokenAt: 0 });
  });
});
