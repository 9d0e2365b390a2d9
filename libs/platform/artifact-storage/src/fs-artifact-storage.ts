import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError } from './artifact-storage.port';
import type { ArtifactStorage, ByteRange, PutOptions, StoredBlob } from './artifact-storage.port';
import { HashingMeter, SHA256_HEX } from './hashing-meter';

/**
 * The embedded artifact storage (docs/design.md §2): content-addressed files under `<root>/blobs/ab/cd/<sha256>`.
 * A put streams into `<root>/tmp` while hashing and counting, fsyncs, then renames into place, so a blob
 * path only ever holds complete, verified content, and a crash leaves at most a stray temp file.
 */
export class FsArtifactStorage implements ArtifactStorage {
  private readonly tmpDir: string;
  private readonly blobDir: string;

  constructor(rootDir: string) {
    this.tmpDir = join(rootDir, 'tmp');
    this.blobDir = join(rootDir, 'blobs');
  }

  async put(content: Readable, options: PutOptions = {}): Promise<StoredBlob> {
    await mkdir(this.tmpDir, { recursive: true });
    const tmpPath = join(this.tmpDir, `${randomUUID()}.part`);
    const meter = new HashingMeter(options.maxBytes, options);
    try {
      // pipeline applies backpressure end to end (memory stays flat) and destroys every stream on failure,
      // the caller's source included, so an oversized upload stops being read at once.
      await pipeline(content, meter, createWriteStream(tmpPath, { flags: 'wx', flush: true }));
      const sha256 = meter.digest();
      const target = this.blobPath(sha256);
      if (await exists(target)) {
        // Same content already stored: content addressing makes this put a no-op.
        await rm(tmpPath, { force: true });
      } else {
        await mkdir(join(target, '..'), { recursive: true });
        await rename(tmpPath, target);
        await syncDirectory(join(target, '..'));
      }
      return { sha256, size: meter.bytes };
    } catch (error: unknown) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    if (!SHA256_HEX.test(sha256)) throw new BlobNotFoundError(sha256);
    // Opening first turns "absent" into a typed error here rather than a later stream 'error' event.
    const handle = await open(this.blobPath(sha256), 'r').catch((error: unknown) => {
      if (isNotFound(error)) throw new BlobNotFoundError(sha256);
      throw error;
    });
    try {
      if (range === undefined) return handle.createReadStream();
      const { size } = await handle.stat();
      const { start, end } = range;
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || start >= size) {
        throw new RangeError(`range ${start}-${end} is not satisfiable for ${size} bytes`);
      }
      // Like HTTP and S3, an end past the blob is clamped to its last byte.
      return handle.createReadStream({ start, end: Math.min(end, size - 1) });
    } catch (error: unknown) {
      await handle.close();
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    try {
      return (await stat(this.blobPath(sha256))).size;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private blobPath(sha256: string): string {
    return join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error: unknown) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Makes the rename itself durable; not every platform can fsync a directory, so this is best effort. */
async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open directories; the file content itself was already flushed.
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
