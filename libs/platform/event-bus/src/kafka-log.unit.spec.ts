import type { KafkaLogRecord } from './kafka-log';
import { KafkaLogFilter } from './kafka-log';

describe('KafkaLogFilter', () => {
  let now: number;
  let lines: KafkaLogRecord[];
  let filter: KafkaLogFilter;
  const line = (namespace: string, message: string, level: KafkaLogRecord['level'] = 'error'): KafkaLogRecord => ({ level, namespace, message, detail: {} });

  beforeEach(() => {
    now = 0;
    lines = [];
    filter = new KafkaLogFilter(
      (record) => lines.push(record),
      () => now,
    );
  });

  it('drops what kafkajs logs as errors during normal operation', () => {
    filter.write(line('Connection', 'Response Heartbeat(key: 12, version: 3)'));
    filter.write(line('Runner', 'The group is rebalancing, re-joining', 'warn'));
    filter.write(line('Producer', 'Failed to send messages: This server is not the leader for that topic-partition'));
    filter.write(line('Consumer', 'Crash: KafkaJSProtocolError: The coordinator is loading'));
    filter.write(line('Consumer', 'Restarting the consumer in 300ms'));

    expect(lines).toEqual([]);
  });

  it('prints a repeated line once a minute, with the number it held back', () => {
    const refused = line('Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    for (let i = 0; i < 100; i++) filter.write(refused);
    now = 60_001;
    filter.write(refused);

    expect(lines).toEqual([refused, { ...refused, detail: { repeatsSuppressed: 99 } }]);
  });

  it('turns kafkajs entries into records without the namespace prefix and with errors as text', () => {
    const write = filter.creator()(2);
    write({ namespace: 'Cluster', level: 2, label: 'WARN', log: { timestamp: 't', message: '[Cluster] something odd', error: new Error('why'), stack: 'long' } });

    expect(lines).toEqual([{ level: 'warn', namespace: 'Cluster', message: 'something odd', detail: { error: 'why' } }]);
  });
});
