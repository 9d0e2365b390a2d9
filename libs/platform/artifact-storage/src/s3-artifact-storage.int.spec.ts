import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteBucketCommand, DeleteObjectsCommand, HeadBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describeArtifactStorageContract, uniqueSuffix } from '@mreg/testing/contracts';
import { describeWithServer } from '@mreg/testing/infra';
import { BlobTooLargeError, DigestMismatchError } from './artifact-storage.port';
import { S3ArtifactStorage, type S3ArtifactStorageOptions } from './s3-artifact-storage';

const MiB = 1024 * 1024;

/** Where the S3 API is: the URL the jest global setup found, or a MinIO container on a Docker host. */
interface S3Server {
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly region: string;
  stop(): Promise<void>;
}

async function s3Server(url: string): Promise<S3Server> {
  if (url !== 'docker') {
    return {
      endpoint: url,
      credentials: {
        accessKeyId: process.env['MREG_S3_ACCESS_KEY'] ?? 'mreg-access-key',
        secretAccessKey: process.env['MREG_S3_SECRET_KEY'] ?? 'mreg-secret-key',
      },
      region: process.env['MREG_S3_REGION'] ?? 'us-east-1',
      stop: async () => undefined,
    };
  }
  // Loaded only here: hosts without Docker never need testcontainers.
  const { GenericContainer, Wait } = await import('testcontainers');
  const credentials = { accessKeyId: 'mreg-access-key', secretAccessKey: 'mreg-secret-key' };
  const container = await new GenericContainer('minio/minio:latest')
    .withCommand(['server', '/data'])
    .withEnvironment({ MINIO_ROOT_USER: credentials.accessKeyId, MINIO_ROOT_PASSWORD: credentials.secretAccessKey })
    .withExposedPorts(9000)
    .withWaitStrategy(Wait.forHttp('/minio/health/live', 9000))
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(9000)}`,
    credentials,
    region: 'us-east-1',
    stop: async () => {
      await container.stop();
    },
  };
}

function rawClient(server: S3Server): S3Client {
  return new S3Client({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, forcePathStyle: true });
}

async function listKeys(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** Each run uses its own bucket (which also exercises ensureBucket) and removes it afterwards. */
async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  const keys = await listKeys(client, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describeWithServer('s3', 'S3ArtifactStorage', (url) => {
  describeArtifactStorageContract(
    'S3ArtifactStorage',
    async () => {
      const server = await s3Server(url);
      const bucket = `mreg-contract-${uniqueSuffix()}`;
      // The smallest part size keeps the multipart working set (queue + part being filled, plus SDK copies) low.
      const storage = new S3ArtifactStorage({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, bucket, partSize: 5 * 1024 * 1024 });
      return {
        storage,
        cleanup: async () => {
          await storage.close();
          const client = rawClient(server);
          try {
            await deleteBucket(client, bucket);
          } finally {
            client.destroy();
            await server.stop();
          }
        },
      };
    },
    { largeStreamBytes: 160 * 1024 * 1024, maxRetainedBytes: 64 * 1024 * 1024 },
  );

  describe('S3ArtifactStorage on S3', () => {
    let server: S3Server;
    let client: S3Client;
    let bucket: string;
    let storage: S3ArtifactStorage;
    const open = (options: Partial<S3ArtifactStorageOptions> = {}): S3ArtifactStorage => new S3ArtifactStorage({ endpoint: server.endpoint, region: server.region, credentials: server.credentials, bucket, ...options });

    beforeAll(async () => {
      server = await s3Server(url);
      client = rawClient(server);
    });

    afterAll(async () => {
      client?.destroy();
      await server?.stop();
    });

    beforeEach(() => {
      bucket = `mreg-s3-${uniqueSuffix()}`;
      storage = open();
    });

    afterEach(async () => {
      await storage.close();
      await deleteBucket(client, bucket).catch(() => undefined);
    });

    it('creates a missing bucket once, and tolerates one that exists', async () => {
      await expect(client.send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toThrow();

      await storage.ensureBucket();
      await storage.ensureBucket();
      await open().ensureBucket();

      await expect(client.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    });

    it('lays blobs out as blobs/ab/cd/<sha256>', async () => {
      const content = Buffer.from('model weights');
      const digest = sha256(content);

      await storage.put(Readable.from([content]));

      expect(await listKeys(client, bucket)).toEqual([`blobs/${digest.slice(0, 2)}/${digest.slice(2, 4)}/${digest}`]);
    });

    it('leaves no tmp object and no multipart upload behind after rejected uploads', async () => {
      const content = randomBytes(10_000);
      const big = randomBytes(20 * MiB); // multipart: parts are uploaded before the digest is known
      await storage.put(Readable.from([content]));
      await storage.put(Readable.from([content]));

      await expect(storage.put(Readable.from([content]), { maxBytes: 10 })).rejects.toBeInstanceOf(BlobTooLargeError);
      await expect(storage.put(Readable.from([big]), { maxBytes: 12 * MiB })).rejects.toBeInstanceOf(BlobTooLargeError);
      await expect(storage.put(Readable.from([randomBytes(10)]), { expectedSha256: '0'.repeat(64) })).rejects.toBeInstanceOf(DigestMismatchError);
      await expect(storage.put(Readable.from([big]), { expectedSha256: '0'.repeat(64) })).rejects.toBeInstanceOf(DigestMismatchError);
      const failing = new Readable({
        read() {
          this.push(randomBytes(9 * MiB));
          this.destroy(new Error('connection reset'));
        },
      });
      await expect(storage.put(failing)).rejects.toThrow('connection reset');

      expect(await listKeys(client, bucket, 'tmp/')).toEqual([]);
      expect(await listKeys(client, bucket)).toEqual([expect.stringMatching(new RegExp(`/${sha256(content)}$`))]);
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(uploads.Uploads ?? []).toEqual([]);
    }, 60_000);

    it('accepts an expected digest in upper case', async () => {
      const content = Buffer.from('abc');
      await expect(storage.put(Readable.from([content]), { expectedSha256: sha256(content).toUpperCase() })).resolves.toEqual({
        sha256: sha256(content),
        size: 3,
      });
    });

    it('copies a large blob into place in parts (UploadPartCopy) above the copy threshold', async () => {
      await storage.close();
      storage = open({ multipartCopyThreshold: 5 * MiB, copyPartSize: 5 * MiB });
      const content = randomBytes(12 * MiB + 123);

      const stored = await storage.put(Readable.from([content]));

      expect(stored).toEqual({ sha256: sha256(content), size: content.length });
      await expect(storage.size(stored.sha256)).resolves.toBe(content.length);
      expect((await readAll(await storage.get(stored.sha256))).equals(content)).toBe(true);
      expect((await readAll(await storage.get(stored.sha256, { start: 5 * MiB - 2, end: 5 * MiB + 1 }))).equals(content.subarray(5 * MiB - 2, 5 * MiB + 2))).toBe(true);
      expect(await listKeys(client, bucket, 'tmp/')).toEqual([]);
    }, 60_000);

    it('refuses a malformed range before asking the server', async () => {
      const { sha256: digest } = await storage.put(Readable.from([randomBytes(100)]));
      await expect(storage.get(digest, { start: 5, end: 4 })).rejects.toBeInstanceOf(RangeError);
      await expect(storage.get(digest, { start: -1, end: 4 })).rejects.toBeInstanceOf(RangeError);
      await expect(storage.get(digest, { start: 0.5, end: 4 })).rejects.toBeInstanceOf(RangeError);
    });
  });
});
