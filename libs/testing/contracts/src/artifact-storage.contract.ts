import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BlobNotFoundError, BlobTooLargeError, DigestMismatchError, type ArtifactStorage } from '@mreg/platform/artifact-storage';
import { rejectionOf, withFixture } from './contract-helpers';

export interface ArtifactStorageContractFixture {
  readonly storage: ArtifactStorage;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * The behaviour every ArtifactStorage adapter must show (docs/design.md §2). Every test stores fresh random
 * content, so "nothing was stored" is checkable in a bucket that already holds other blobs.
 */
export interface ArtifactStorageContractOptions {
  /**
   * Bytes of the large-stream test (default 64 MiB). Adapters with a bounded but larger working set (an S3
   * multipart queue) use a larger stream, so that holding the content would still show clearly.
   */
  readonly largeStreamBytes?: number;
  /** Most buffer memory the adapter may hold during that stream (default 32 MiB). */
  readonly maxRetainedBytes?: number;
}

export function describeArtifactStorageContract(name: string, factory: () => Promise<ArtifactStorageContractFixture>, options: ArtifactStorageContractOptions = {}): void {
  const largeSize = options.largeStreamBytes ?? 64 * MiB;
  const maxRetained = options.maxRetainedBytes ?? 32 * MiB;
  describe(`ArtifactStorage contract: ${name}`, () => {
    let storage: ArtifactStorage;
    withFixture(factory, (fixture) => {
      storage = fixture.storage;
    });

    it('stores a stream under its sha256 and gives it back byte for byte', async () => {
      const content = randomBytes(300_000);

      const stored = await storage.put(chunked(content, 7_777));

      expect(stored).toEqual({ sha256: sha256(content), size: content.length });
      await expect(storage.exists(stored.sha256)).resolves.toBe(true);
      await expect(storage.size(stored.sha256)).resolves.toBe(content.length);
      expect((await readAll(await storage.get(stored.sha256))).equals(content)).toBe(true);
    });

    it('stores empty content', async () => {
      const stored = await storage.put(Readable.from([]));
      expect(stored).toEqual({ sha256: sha256(Buffer.alloc(0)), size: 0 });
      expect(await readAll(await storage.get(stored.sha256))).toHaveLength(0);
    });

    it('stores the same content once: a second put returns the same blob', async () => {
      const content = randomBytes(10_000);

      const first = await storage.put(chunked(content, 1000));
      const second = await storage.put(chunked(content, 4096));

      expect(second).toEqual(first);
      expect((await readAll(await storage.get(first.sha256))).equals(content)).toBe(true);
    });

    it('accepts content of exactly maxBytes and a matching expected digest', async () => {
      const content = randomBytes(4096);
      const stored = await storage.put(chunked(content, 1000), { maxBytes: 4096, expectedSha256: sha256(content) });
      expect(stored.size).toBe(4096);
    });

    it('rejects content over maxBytes and stores nothing', async () => {
      const content = randomBytes(5000);

      const error = await rejectionOf(storage.put(chunked(content, 1000), { maxBytes: 4999 }));

      expect(error).toBeInstanceOf(BlobTooLargeError);
      expect(error).toMatchObject({ code: 'BLOB_TOO_LARGE', maxBytes: 4999 });
      await expect(storage.exists(sha256(content))).resolves.toBe(false);
    });

    it('stops reading an oversized stream early instead of consuming all of it', async () => {
      let produced = 0;
      const endless = new Readable({
        read() {
          produced += 64 * 1024;
          this.push(produced > 256 * MiB ? null : randomBytes(64 * 1024));
        },
      });

      await expect(storage.put(endless, { maxBytes: MiB })).rejects.toBeInstanceOf(BlobTooLargeError);

      expect(produced).toBeLessThan(64 * MiB);
    });

    it('rejects content whose digest differs from the expected one and stores nothing', async () => {
      const content = randomBytes(5000);
      const expected = sha256(Buffer.from('something else'));

      const error = await rejectionOf(storage.put(chunked(content, 1000), { expectedSha256: expected }));

      expect(error).toBeInstanceOf(DigestMismatchError);
      expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', expected, actual: sha256(content) });
      await expect(storage.exists(sha256(content))).resolves.toBe(false);
    });

    it('checks a sha512 the client declared: stores on a match, rejects a mismatch and stores nothing', async () => {
      const content = randomBytes(5000);
      const sha512 = createHash('sha512').update(content).digest('hex');
      const error = await rejectionOf(storage.put(chunked(content, 1000), { expectedSha512: createHash('sha512').update('other').digest('hex') }));
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', actual: sha512 });
      await expect(storage.exists(sha256(content))).resolves.toBe(false);

      const stored = await storage.put(chunked(content, 1000), { expectedSha512: sha512.toUpperCase(), expectedSha256: sha256(content) });
      expect(stored).toEqual({ sha256: sha256(content), size: 5000 });
    });

    it('propagates an error of the source stream and stores nothing', async () => {
      const content = randomBytes(3000);
      const failing = new Readable({
        read() {
          this.push(content);
          this.destroy(new Error('connection reset'));
        },
      });

      await expect(storage.put(failing)).rejects.toThrow('connection reset');
      await expect(storage.exists(sha256(content))).resolves.toBe(false);
    });

    it('streams byte ranges (inclusive ends, an end past the blob is clamped)', async () => {
      const content = randomBytes(100_000);
      const { sha256: digest } = await storage.put(chunked(content, 10_000));

      const middle = await readAll(await storage.get(digest, { start: 10, end: 19 }));
      const first = await readAll(await storage.get(digest, { start: 0, end: 0 }));
      const tail = await readAll(await storage.get(digest, { start: 99_990, end: 200_000 }));
      const across = await readAll(await storage.get(digest, { start: 9_999, end: 30_000 }));

      expect(middle.equals(content.subarray(10, 20))).toBe(true);
      expect(first.equals(content.subarray(0, 1))).toBe(true);
      expect(tail.equals(content.subarray(99_990))).toBe(true);
      expect(across.equals(content.subarray(9_999, 30_001))).toBe(true);
    });

    it('refuses a range that starts past the end', async () => {
      const content = randomBytes(100);
      const { sha256: digest } = await storage.put(chunked(content, 100));
      await expect(storage.get(digest, { start: 100, end: 200 })).rejects.toBeInstanceOf(RangeError);
    });

    it('reports an absent blob as not found', async () => {
      const absent = sha256(randomBytes(32));

      await expect(storage.get(absent)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(storage.get(absent, { start: 0, end: 10 })).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(storage.exists(absent)).resolves.toBe(false);
      await expect(storage.size(absent)).resolves.toBeUndefined();
    });

    it.each(['../../etc/passwd', 'ABCDEF'.padEnd(64, '0'), 'abc', `${'a'.repeat(63)}/`, ''])('treats the malformed digest %j as not found', async (digest) => {
      await expect(storage.get(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(storage.exists(digest)).resolves.toBe(false);
      await expect(storage.size(digest)).resolves.toBeUndefined();
    });

    it(`streams ${largeSize / MiB} MiB in and out without holding it in memory`, async () => {
      const size = largeSize;
      // Three quarters in, the source pauses and measures what is still alive: an adapter holding the content
      // would hold three quarters of it by then; a streaming adapter holds a few buffers (an S3 multipart queue).
      const source = generated(size, 256 * 1024, (size / 4) * 3);

      const stored = await storage.put(source.stream);

      expect(stored).toEqual({ sha256: source.sha256(), size });
      const retained = source.retainedAtCheckpoint();
      if (retained !== undefined) expect(retained).toBeLessThan(maxRetained);

      const hash = createHash('sha256');
      let read = 0;
      for await (const chunk of await storage.get(stored.sha256)) {
        hash.update(chunk as Buffer);
        read += (chunk as Buffer).length;
      }
      expect(read).toBe(size);
      expect(hash.digest('hex')).toBe(stored.sha256);
    }, 120_000);
  });
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A stream of `content` in chunks of `size` bytes. */
function chunked(content: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < content.length; offset += size) chunks.push(content.subarray(offset, offset + size));
  return Readable.from(chunks);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `size` bytes produced on demand (never all in memory), hashed as they are produced. The bytes vary per
 * chunk so that the content is unique to this run and cannot be deduplicated against an earlier one.
 * On reaching `checkpoint` bytes it collects garbage (when the runtime allows) and records how much buffer
 * memory is still alive compared with the start.
 */
function generated(size: number, chunkSize: number, checkpoint: number): { stream: Readable; sha256(): string; retainedAtCheckpoint(): number | undefined } {
  const hash = createHash('sha256');
  const seed = randomBytes(chunkSize);
  const gc = garbageCollector();
  gc?.();
  const baseline = process.memoryUsage().arrayBuffers;
  let retained: number | undefined;
  let produced = 0;
  const next = (): Buffer => {
    const length = Math.min(chunkSize, size - produced);
    const chunk = Buffer.allocUnsafe(length);
    seed.copy(chunk, 0, 0, length);
    chunk.writeUInt32BE((produced / chunkSize) >>> 0, 0);
    produced += length;
    hash.update(chunk);
    return chunk;
  };
  const stream = new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
      } else if (produced === checkpoint && retained === undefined && gc !== undefined) {
        // Let the consumer settle, then measure; read() is not called again until this push. The lowest of a few
        // collections counts: buffers another test left in flight in this worker come and go, a held stream stays.
        void (async () => {
          let lowest = Number.POSITIVE_INFINITY;
          for (let sample = 0; sample < 4; sample++) {
            await new Promise((settle) => setTimeout(settle, 50));
            gc();
            lowest = Math.min(lowest, process.memoryUsage().arrayBuffers - baseline);
          }
          retained = Math.max(0, lowest);
          this.push(next());
        })();
      } else {
        this.push(next());
      }
    },
  });
  return { stream, sha256: () => hash.digest('hex'), retainedAtCheckpoint: () => retained };
}

/** V8's gc(), reachable without the --expose-gc command-line flag; undefined where the runtime refuses. */
function garbageCollector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => void gc() : undefined;
  } catch {
    return undefined;
  }
}
