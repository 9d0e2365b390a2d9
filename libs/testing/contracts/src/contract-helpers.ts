import { randomBytes } from 'node:crypto';

/** A short random suffix that keeps names unique across runs sharing one server. */
export function uniqueSuffix(): string {
  return randomBytes(8).toString('hex');
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves to the error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/**
 * A contract suite's fixture: made by `factory` before the suite's tests, handed to `use` (which keeps the port
 * under test), cleaned up after them.
 */
export function withFixture<F extends { cleanup(): Promise<void> }>(factory: () => Promise<F>, use: (fixture: F) => void): void {
  let fixture: F | undefined;
  beforeAll(async () => {
    fixture = await factory();
    use(fixture);
  });
  afterAll(async () => {
    await fixture?.cleanup();
  });
}
