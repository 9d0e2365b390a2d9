import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobNotFoundError } from './artifact-storage.port';
import type { ArtifactStorage, ByteRange, PutOptions, StoredBlob } from './artifact-storage.port';
import { HashingMeter, SHA256_HEX } from './hashing-meter';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The largest object a single CopyObject may copy (an S3 limit). */
const MAX_SINGLE_COPY_BYTES = 5 * GiB;
const MAX_PARTS = 10_000;

export interface S3ArtifactStorageOptions {
  /** S3 API endpoint, e.g. `http://127.0.0.1:9000`; omit for AWS S3 itself. */
  readonly endpoint?: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  readonly bucket: string;
  /** Static keys; omit to use the SDK's default provider chain (env, profile, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted S3 servers need. Default true with an endpoint. */
  readonly forcePathStyle?: boolean;
  /** Multipart upload part size in bytes (default 8 MiB, at least 5 MiB). Memory ≈ (queueSize + 1) × partSize. */
  readonly partSize?: number;
  /** Parts uploaded concurrently (default 2). */
  readonly queueSize?: number;
  /** Above this size the final copy uses UploadPartCopy (default and maximum: 5 GiB, the CopyObject limit). */
  readonly multipartCopyThreshold?: number;
  /** Part size of a multipart copy (default 512 MiB; raised as needed to stay within 10,000 parts). */
  readonly copyPartSize?: number;
}

/**
 * The production artifact storage (docs/design.md §2): content-addressed objects `blobs/ab/cd/<sha256>` in
 * one S3 bucket. A put streams through SHA-256 into a multipart upload under `tmp/<uuid>` (memory stays at a
 * few parts, whatever the size), and only once the digest is known and checked is the temp copied to its
 * content address and deleted, so a blob key only ever holds complete, verified content. Every failure
 * aborts the upload and deletes the temp; a crash in between leaves at most a `tmp/` object, which a bucket
 * lifecycle rule (expire `tmp/`, abort incomplete multipart uploads) cleans up.
 */
export class S3ArtifactStorage implements ArtifactStorage {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly multipartCopyThreshold: number;
  private readonly copyPartSize: number;
  private bucketReady: Promise<void> | undefined;

  constructor(options: S3ArtifactStorageOptions) {
    this.bucket = options.bucket;
    this.partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB);
    this.queueSize = Math.max(1, options.queueSize ?? 2);
    this.multipartCopyThreshold = Math.min(options.multipartCopyThreshold ?? MAX_SINGLE_COPY_BYTES, MAX_SINGLE_COPY_BYTES);
    this.copyPartSize = options.copyPartSize ?? 512 * MiB;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: options.credentials,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // The SDK's default CRC32 trailers (aws-chunked bodies) are not understood by every S3-compatible
      // server; integrity is ours anyway: the SHA-256 we compute is the object's address.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** Creates the bucket when it does not exist yet; every other method calls this once first. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error: unknown) {
      if (!isNotFound(error)) throw error;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (error: unknown) {
      // Another process created it first: that is what we wanted.
      if (errorName(error) !== 'BucketAlreadyOwnedByYou' && errorName(error) !== 'BucketAlreadyExists') throw error;
    }
  }

  async put(content: Readable, options: PutOptions = {}): Promise<StoredBlob> {
    await this.ready();
    const tmpKey = `tmp/${randomUUID()}`;
    const meter = new HashingMeter(options.maxBytes, options);
    try {
      await this.uploadThrough(content, meter, tmpKey);
      const sha256 = meter.digest();
      const key = blobKey(sha256);
      // Same content already stored: content addressing makes this put a no-op.
      if ((await this.headSize(key)) === undefined) await this.copy(tmpKey, key, meter.bytes);
      await this.deleteObject(tmpKey);
      return { sha256, size: meter.bytes };
    } catch (error: unknown) {
      // Best effort: the original error matters more than a failed cleanup (lifecycle rules catch the rest).
      await this.deleteObject(tmpKey).catch(() => undefined);
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    if (!SHA256_HEX.test(sha256)) throw new BlobNotFoundError(sha256);
    if (range !== undefined) assertRange(range);
    await this.ready();
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: blobKey(sha256),
          // Inclusive ends, like ours; S3 clamps an end past the object to its last byte.
          Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
        }),
      );
      if (response.Body instanceof Readable) return response.Body;
      throw new Error('S3 GetObject returned no Node.js stream body');
    } catch (error: unknown) {
      if (isNotFound(error)) throw new BlobNotFoundError(sha256);
      if (range !== undefined && isUnsatisfiableRange(error)) {
        throw new RangeError(`range ${range.start}-${range.end} is not satisfiable for blob ${sha256}`);
      }
      throw error;
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.size(sha256)) !== undefined;
  }

  async size(sha256: string): Promise<number | undefined> {
    if (!SHA256_HEX.test(sha256)) return undefined;
    await this.ready();
    return this.headSize(blobKey(sha256));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** Memoised ensureBucket; a failure is not memoised, so the next call tries again. */
  private ready(): Promise<void> {
    this.bucketReady ??= this.ensureBucket().catch((error: unknown) => {
      this.bucketReady = undefined;
      throw error;
    });
    return this.bucketReady;
  }

  /** Streams `content` through `meter` into `key`; on any failure nothing of it remains in the bucket. */
  private async uploadThrough(content: Readable, meter: HashingMeter, key: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: meter, ContentType: 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      // The default, stated: a failed upload aborts its multipart upload, so no orphaned parts are billed.
      leavePartsOnError: false,
    });
    const [piped, uploaded] = await Promise.allSettled([
      // pipeline destroys the caller's source when the meter fails (too large), so it stops being read.
      pipeline(content, meter),
      upload.done().catch((error: unknown) => {
        // The upload failed on its own (network, server): stop reading the source too.
        meter.destroy();
        throw error;
      }),
    ]);
    // Report the root cause: the source's or the meter's error, else the upload's.
    if (piped.status === 'rejected' && !isPrematureClose(piped.reason)) throw piped.reason;
    if (uploaded.status === 'rejected') throw uploaded.reason;
    if (piped.status === 'rejected') throw piped.reason;
  }

  private async copy(fromKey: string, toKey: string, size: number): Promise<void> {
    const source = `${this.bucket}/${fromKey}`;
    if (size <= this.multipartCopyThreshold) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: source }));
      return;
    }
    await this.multipartCopy(source, toKey, size);
  }

  /** Server-side copy in parts (UploadPartCopy): the only way to copy an object larger than 5 GiB. */
  private async multipartCopy(source: string, toKey: string, size: number): Promise<void> {
    const partSize = Math.max(this.copyPartSize, Math.ceil(size / MAX_PARTS));
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: toKey, ContentType: 'application/octet-stream' }));
    if (UploadId === undefined) throw new Error('S3 CreateMultipartUpload returned no UploadId');
    try {
      const ranges: { partNumber: number; start: number; end: number }[] = [];
      for (let start = 0, partNumber = 1; start < size; start += partSize, partNumber++) {
        ranges.push({ partNumber, start, end: Math.min(start + partSize, size) - 1 });
      }
      const parts = await mapWithConcurrency(ranges, this.queueSize, async ({ partNumber, start, end }) => {
        const { CopyPartResult } = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: toKey,
            UploadId,
            PartNumber: partNumber,
            CopySource: source,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        );
        if (CopyPartResult?.ETag === undefined) throw new Error(`S3 UploadPartCopy returned no ETag for part ${partNumber}`);
        return { PartNumber: partNumber, ETag: CopyPartResult.ETag } satisfies CompletedPart;
      });
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: toKey, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error: unknown) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: toKey, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  private async headSize(key: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async deleteObject(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

function blobKey(sha256: string): string {
  return `blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

function assertRange({ start, end }: ByteRange): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`range ${start}-${end} is not a valid byte range`);
  }
}

/**
 * Runs `task` over `items`, at most `limit` at a time, results in input order. After a failure no new task
 * starts, and it rejects only once the running ones have settled, so a cleanup after it races nothing.
 */
async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error: unknown) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return results;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || httpStatus(error) === 404;
}

function isUnsatisfiableRange(error: unknown): boolean {
  return errorName(error) === 'InvalidRange' || httpStatus(error) === 416;
}

function isPrematureClose(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
