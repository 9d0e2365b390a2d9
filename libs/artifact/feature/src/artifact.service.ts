import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, streams } from '@mreg/shared/contracts';
import type { ArtifactEntry, Principal } from '@mreg/shared/contracts';
import { artifactManifestDecider, findArtifact, listArtifacts } from '@mreg/artifact/domain';
import { ARTIFACT_STORAGE } from '@mreg/platform/artifact-storage';
import type { ArtifactStorage, ByteRange } from '@mreg/platform/artifact-storage';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { CommandContext } from '@mreg/platform/runtime';

export interface UploadRequest {
  readonly modelName: string;
  readonly version: number;
  readonly path: string;
  readonly contentType: string;
  readonly content: Readable;
  readonly maxBytes: number;
  readonly expectedSha256?: string;
  readonly expectedSha512?: string;
}

/** Artifact use cases: content-addressed blobs plus a per-version manifest in the log. */
@Injectable()
export class ArtifactService {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    @Inject(ARTIFACT_STORAGE) private readonly storage: ArtifactStorage,
  ) {}

  private async manifest(modelId: string, version: number) {
    return this.repository.load(streams.artifacts(modelId, version), artifactManifestDecider);
  }

  /**
   * Streams the body into storage (hashing on the way) and records it in the manifest. Everything that can be
   * refused is checked before a byte is stored: missing version, sealed version, taken path.
   */
  async upload(request: UploadRequest, ctx: CommandContext): Promise<{ entry: ArtifactEntry; created: boolean }> {
    const model = await this.lookup.authorize(request.modelName, ctx.principal, 'write');
    const version = await this.lookup.requireVersion(model.modelId, request.version, model.name);
    const before = await this.manifest(model.modelId, request.version);
    const existing = findArtifact(before.state, request.path);
    if (existing) throw new DomainError('ALREADY_EXISTS', `artifact ${request.path} already exists in version ${request.version}; artifacts are never overwritten`, { path: request.path, sha256: existing.sha256 });
    // Reuse the decider's rules (sealed, file-vs-directory) with a stand-in digest before reading the body.
    artifactManifestDecider.decide(
      { type: 'AddArtifact', data: { modelId: model.modelId, version: request.version, path: request.path, size: 0, sha256: '0'.repeat(64), contentType: request.contentType, versionStage: version.stage } },
      before.state,
    );
    const blob = await this.storage.put(request.content, {
      maxBytes: request.maxBytes,
      ...(request.expectedSha256 ? { expectedSha256: request.expectedSha256 } : {}),
      ...(request.expectedSha512 ? { expectedSha512: request.expectedSha512 } : {}),
    });
    const latest = await this.lookup.version(model.modelId, request.version);
    const result = await this.repository.handle(
      streams.artifacts(model.modelId, request.version),
      artifactManifestDecider,
      {
        type: 'AddArtifact',
        data: {
          modelId: model.modelId,
          version: request.version,
          path: request.path,
          size: blob.size,
          sha256: blob.sha256,
          contentType: request.contentType,
          versionStage: latest.exists && !latest.deleted ? latest.stage : null,
        },
      },
      ctx,
    );
    const entry = findArtifact(result.state, request.path);
    if (!entry) throw new Error('artifact missing from manifest after append');
    return { entry, created: result.events.length > 0 };
  }

  async list(modelName: string, version: number, principal: Principal): Promise<{ model: string; version: number; sealed: boolean; totalSize: number; items: ArtifactEntry[] }> {
    const model = await this.lookup.authorize(modelName, principal, 'read');
    const snapshot = await this.lookup.requireVersion(model.modelId, version, model.name);
    const manifest = await this.manifest(model.modelId, version);
    return { model: model.name, version, sealed: snapshot.stage !== 'development', totalSize: manifest.state.totalSize, items: listArtifacts(manifest.state) };
  }

  async find(modelName: string, version: number, path: string, principal: Principal): Promise<ArtifactEntry> {
    const model = await this.lookup.authorize(modelName, principal, 'read');
    await this.lookup.requireVersion(model.modelId, version, model.name);
    const entry = findArtifact((await this.manifest(model.modelId, version)).state, path);
    if (!entry) throw new DomainError('NOT_FOUND', `artifact ${path} not found in version ${version}`, { path });
    return entry;
  }

  /** A version's manifest by model id (the MLflow proxy's `mreg-versions/<modelId>/<n>` namespace). */
  async manifestOf(modelId: string, version: number, principal: Principal): Promise<ArtifactEntry[]> {
    await this.lookup.authorizeId(modelId, principal, 'read');
    const snapshot = await this.lookup.version(modelId, version);
    if (!snapshot.exists || snapshot.deleted) throw new DomainError('NOT_FOUND', `model ${modelId} has no version ${version}`, { modelId, version });
    return listArtifacts((await this.manifest(modelId, version)).state);
  }

  /**
   * Imports the files an MLflow registration named into the version's manifest, once (a redelivery changes
   * nothing); `entries` are relative to `source`.
   */
  async importFiles(modelId: string, version: number, source: string, entries: readonly ArtifactEntry[], ctx: CommandContext): Promise<boolean> {
    const result = await this.repository.handle(streams.artifacts(modelId, version), artifactManifestDecider, { type: 'ImportArtifacts', data: { modelId, version, source, entries } }, ctx);
    return result.events.length > 0;
  }

  open(entry: ArtifactEntry, range?: ByteRange): Promise<Readable> {
    return this.storage.get(entry.sha256, range);
  }
}
