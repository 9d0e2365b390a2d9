import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describeArtifactStorageContract } from '@mreg/testing/contracts';
import { BlobTooLargeError, DigestMismatchError } from './artifact-storage.port';
import { FsArtifactStorage } from './fs-artifact-storage';

describeArtifactStorageContract('FsArtifactStorage', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mreg-artifacts-'));
  const storage = new FsArtifactStorage(root);
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FsArtifactStorage', () => {
  let root: string;
  let storage: FsArtifactStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mreg-artifacts-'));
    storage = new FsArtifactStorage(root);
  });

  afterEach(async () => {
    await storage.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lays blobs out as blobs/ab/cd/<sha256>', async () => {
    const content = Buffer.from('model weights');
    const digest = createHash('sha256').update(content).digest('hex');

    await storage.put(Readable.from([content]));

    await expect(readFile(join(root, 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest))).resolves.toEqual(content);
  });

  it('leaves no temp file behind, whatever the outcome', async () => {
    const content = randomBytes(10_000);
    await storage.put(Readable.from([content]));
    await storage.put(Readable.from([content]));
    await expect(storage.put(Readable.from([content]), { maxBytes: 10 })).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(storage.put(Readable.from([randomBytes(10)]), { expectedSha256: '0'.repeat(64) })).rejects.toBeInstanceOf(DigestMismatchError);

    await expect(readdir(join(root, 'tmp'))).resolves.toEqual([]);
  });

  it('accepts an expected digest in upper case', async () => {
    const content = Buffer.from('abc');
    const digest = createHash('sha256').update(content).digest('hex');
    await expect(storage.put(Readable.from([content]), { expectedSha256: digest.toUpperCase() })).resolves.toEqual({
      sha256: digest,
      size: 3,
    });
  });
});
