import { ConsumerStartup } from './consumer-startup';

describe('ConsumerStartup', () => {
  it('is not started until the consumers are in, and says why afterwards when they failed', () => {
    const startup = new ConsumerStartup();
    expect(() => startup.assertStarted()).toThrow('consumers are joining their groups');
    startup.started();
    expect(() => startup.assertStarted()).not.toThrow();
    startup.failed('The group coordinator is not available');
    expect(() => startup.assertStarted()).toThrow('consumers failed to start: The group coordinator is not available');
  });
});
