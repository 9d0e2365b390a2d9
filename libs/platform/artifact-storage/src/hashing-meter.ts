import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BlobTooLargeError } from './artifact-storage.port';

/** A well-formed blob address: lowercase hex SHA-256. Anything else is "not found", never a path. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Passes bytes through while hashing and counting them; fails the stream past `maxBytes`, so an oversized
 * upload stops being read at once. Shared by every ArtifactStorage adapter so they agree byte for byte.
 */
export class HashingMeter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly maxBytes: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}
