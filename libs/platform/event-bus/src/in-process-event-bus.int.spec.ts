import { busMessage, describeEventBusContract, sleep } from '@mreg/testing/contracts';
import type { BusMessage } from './event-bus.port';
import { DLQ_HEADERS, InProcessEventBus } from './in-process-event-bus';

describeEventBusContract('InProcessEventBus', async () => {
  const bus = new InProcessEventBus({ maxRetries: 3, retryBackoffMs: 5 });
  return { bus, cleanup: () => bus.close() };
});

describe('InProcessEventBus', () => {
  let bus: InProcessEventBus;

  beforeEach(() => {
    bus = new InProcessEventBus({ maxRetries: 2, retryBackoffMs: 1 });
  });

  afterEach(async () => {
    await bus.close();
  });

  it('shares a group’s messages between its members round robin', async () => {
    const counts = [0, 0];
    await bus.subscribe(['t'], 'g', async () => void counts[0]++);
    await bus.subscribe(['t'], 'g', async () => void counts[1]++);

    await bus.publish(Array.from({ length: 10 }, (_, i) => busMessage('t', `k${i}`, i)));
    await bus.drain();

    expect(counts).toEqual([5, 5]);
  });

  it('delivers after publish has returned, never inside it', async () => {
    let handled = 0;
    await bus.subscribe(['t'], 'g', async () => void handled++);

    await bus.publish([busMessage('t', 'k', 0)]);
    const handledWhenPublished = handled;
    await bus.drain();

    expect(handledWhenPublished).toBe(0);
    expect(handled).toBe(1);
  });

  it('marks dead letters with their source, group, attempts and error', async () => {
    const dead: BusMessage[] = [];
    await bus.subscribe(['t.dlq'], 'watch', async (m) => void dead.push(m));
    let attempts = 0;
    await bus.subscribe(['t'], 'g', async () => {
      attempts++;
      throw new Error('boom');
    });

    await bus.publish([busMessage('t', 'k', 0)]);
    await bus.drain();

    expect(attempts).toBe(3);
    expect(dead).toHaveLength(1);
    expect(dead[0].headers).toMatchObject({
      [DLQ_HEADERS.sourceTopic]: 't',
      [DLQ_HEADERS.group]: 'g',
      [DLQ_HEADERS.attempts]: '3',
      [DLQ_HEADERS.error]: 'boom',
    });
  });

  it('a handler that throws synchronously is retried like one that rejects', async () => {
    let attempts = 0;
    await bus.subscribe(['t'], 'g', () => {
      attempts++;
      if (attempts < 2) throw new Error('sync failure');
      return Promise.resolve();
    });

    await bus.publish([busMessage('t', 'k', 0)]);
    await bus.drain();

    expect(attempts).toBe(2);
  });

  it('holds a group’s messages while it has no members and hands them over when one joins', async () => {
    const first: number[] = [];
    const subscription = await bus.subscribe(['t'], 'g', async (m) => void first.push(seq(m)));
    await subscription.close();
    await bus.publish([busMessage('t', 'k', 0), busMessage('t', 'k', 1)]);
    await bus.drain();

    const second: number[] = [];
    await bus.subscribe(['t'], 'g', async (m) => void second.push(seq(m)));
    await bus.drain();

    expect(first).toEqual([]);
    expect(second).toEqual([0, 1]);
  });

  it('retains a bounded number of messages per topic for fromBeginning', async () => {
    const small = new InProcessEventBus({ retention: 10 });
    try {
      await small.publish(Array.from({ length: 100 }, (_, i) => busMessage('t', 'k', i)));
      const replayed: number[] = [];
      await small.subscribe(['t'], 'late', async (m) => void replayed.push(seq(m)), { fromBeginning: true });
      await small.drain();

      expect(replayed.length).toBeGreaterThanOrEqual(10);
      expect(replayed.length).toBeLessThanOrEqual(20);
      expect(replayed[replayed.length - 1]).toBe(99);
    } finally {
      await small.close();
    }
  });

  it('close waits for handlers in flight and then refuses to publish', async () => {
    let finished = false;
    await bus.subscribe(['t'], 'g', async () => {
      await sleep(50);
      finished = true;
    });
    await bus.publish([busMessage('t', 'k', 0)]);
    await sleep(5);

    await bus.close();

    expect(finished).toBe(true);
    await expect(bus.publish([busMessage('t', 'k', 1)])).rejects.toThrow('closed');
    await expect(bus.probe()).rejects.toThrow('closed');
  });

  it('close cuts a retry backoff short', async () => {
    const slow = new InProcessEventBus({ maxRetries: 5, retryBackoffMs: 10_000 });
    await slow.subscribe(['t'], 'g', async () => {
      throw new Error('always');
    });
    await slow.publish([busMessage('t', 'k', 0)]);
    await sleep(10);

    const started = Date.now();
    await slow.close();

    expect(Date.now() - started).toBeLessThan(1000);
  });
});

function seq(message: BusMessage): number {
  return (message.event.data as { seq: number }).seq;
}
