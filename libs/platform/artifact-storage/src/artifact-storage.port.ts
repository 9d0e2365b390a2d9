import type { Readable } from 'node:stream';

export interface StoredBlob {
  readonly sha256: string; // lowercase hex
  readonly size: number;
}

export interface PutOptions {
  /** Reject (and store nothing) when the stream is longer than this many bytes. */
  readonly maxBytes?: number;
  /** Reject (and store nothing) when the content's sha256 (hex) differs. */
  readonly expectedSha256?: string;
  /** Reject (and store nothing) when the content's sha512 (hex) differs (a client may send either digest). */
  readonly expectedSha512?: string;
}

export class BlobTooLargeError extends Error {
  readonly code = 'BLOB_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`content exceeds ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export class DigestMismatchError extends Error {
  readonly code = 'DIGEST_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`content ${expected.length === 128 ? 'sha512' : 'sha256'} ${actual} does not match the expected ${expected}`);
    this.name = 'DigestMismatchError';
  }
}

export interface ByteRange {
  /** Inclusive start offset. */
  readonly start: number;
  /** Inclusive end offset. */
  readonly end: number;
}

/**
 * Content-addressed blob storage (docs/design.md §2): blobs are stored under their SHA-256, computed while
 * streaming in (memory stays flat at any size). A put of content that already exists stores nothing new.
 */
export interface ArtifactStorage {
  put(content: Readable, options?: PutOptions): Promise<StoredBlob>;
  /** Streams the blob (or a byte range of it); throws BlobNotFoundError when absent. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  exists(sha256: string): Promise<boolean>;
  size(sha256: string): Promise<number | undefined>;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  readonly code = 'BLOB_NOT_FOUND';
  constructor(readonly sha256: string) {
    super(`blob ${sha256} not found`);
    this.name = 'BlobNotFoundError';
  }
}

export const ARTIFACT_STORAGE = Symbol('ArtifactStorage');
