import { DomainError } from '@mreg/shared/contracts';

/**
 * A write that is durable in the log but whose read models did not catch up within the consistency wait:
 * answered 202 Accepted with what identifies the resource and the consistency token (never a 404).
 */
export class WritePending extends Error {
  constructor(readonly resource: Readonly<Record<string, unknown>>) {
    super('the write is recorded; the read models are still catching up');
    this.name = 'WritePending';
  }
}

/** Renders a write's resource from the read models, or reports the write as pending when they lag. */
export async function readAfterWrite<T>(read: () => Promise<T>, identity: Readonly<Record<string, unknown>>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') throw new WritePending(identity);
    throw error;
  }
}
