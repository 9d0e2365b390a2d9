import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BlobTooLargeError, DigestMismatchError } from './artifact-storage.port';
import type { PutOptions } from './artifact-storage.port';

/** A well-formed blob address: lowercase hex SHA-256. Anything else is "not found", never a path. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Passes bytes through while hashing and counting them; fails the stream past `maxBytes`, so an oversized
 * upload stops being read at once. Shared by every ArtifactStorage adapter so they agree byte for byte.
 */
export class HashingMeter extends Transform {
  private readonly hash = createHash('sha256');
  // Only when the client sent a sha-512 digest to check: hashing twice costs CPU on every byte.
  private readonly hash512;
  bytes = 0;

  constructor(
    private readonly maxBytes: number | undefined,
    private readonly expected: Pick<PutOptions, 'expectedSha256' | 'expectedSha512'> = {},
  ) {
    super();
    this.hash512 = expected.expectedSha512 !== undefined ? createHash('sha512') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      callback(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    this.hash512?.update(chunk);
    callback(null, chunk);
  }

  /**
   * The content's sha256 (hex), once the stream has ended; throws DigestMismatchError when it, or the sha512,
   * differs from what the client declared.
   */
  digest(): string {
    const sha256 = this.hash.digest('hex');
    const { expectedSha256, expectedSha512 } = this.expected;
    if (expectedSha256 !== undefined && expectedSha256.toLowerCase() !== sha256) throw new DigestMismatchError(expectedSha256, sha256);
    const sha512 = this.hash512?.digest('hex');
    if (expectedSha512 !== undefined && expectedSha512.toLowerCase() !== sha512) throw new DigestMismatchError(expectedSha512, sha512 ?? '');
    return sha256;
  }
}
