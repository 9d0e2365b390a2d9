import { ProgressSignal } from './progress-signal';

describe('ProgressSignal', () => {
  it('wakes every waiter of a key at its next progress, and only them', async () => {
    const signal = new ProgressSignal();
    const woke: string[] = [];
    const a = signal.next('p:model-1', 60_000).then(() => woke.push('a'));
    const b = signal.next('p:model-1', 60_000).then(() => woke.push('b'));
    const other = signal.next('p:model-2', 60_000).then(() => woke.push('other'));
    signal.notify('p:model-1');
    await Promise.all([a, b]);
    expect(woke.sort()).toEqual(['a', 'b']);
    signal.notify('p:model-2');
    await other;
    expect(woke).toContain('other');
  });

  it('lets a wait end by itself when no progress comes', async () => {
    const signal = new ProgressSignal();
    await expect(signal.next('p:quiet', 5)).resolves.toBeUndefined();
    // A notify with nobody waiting is a no-op.
    expect(() => signal.notify('p:quiet')).not.toThrow();
  });
});
