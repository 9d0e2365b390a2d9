import type { AppendResult, AllEventHandler, EventStore, ExpectedRevision, Leases, NewEvent, ReadAllOptions, ReadStreamOptions, SubscribeAllOptions, Subscription } from './event-store.port';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { upcast } from '@mreg/shared/contracts';

/**
 * The log as the application reads it: every event upcast to its type's current schema version (contracts
 * `upcasters.ts`) on the way out, whichever adapter stores it. The one place stored versions are read; the
 * adapters themselves return events exactly as appended. An upcast event still verifies against its hash chain
 * (`verifyChain` hashes its stored form).
 */
export class UpcastingEventStore implements EventStore {
  constructor(private readonly inner: EventStore) {}

  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(streamId, events, expected);
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(streamId, options)).map(upcast);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(options)).map(upcast);
  }

  subscribeAll(handler: AllEventHandler, options?: SubscribeAllOptions): Subscription {
    return this.inner.subscribeAll((event) => handler(upcast(event)), options);
  }

  get leases(): Leases | undefined {
    return this.inner.leases;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
