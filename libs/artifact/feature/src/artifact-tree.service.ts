import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, artifactTreeKey, streams } from '@mreg/shared/contracts';
import type { ArtifactEntry, Principal } from '@mreg/shared/contracts';
import { artifactTreeDecider, artifactTreeRoot, listTreeDirectory, treeFilesUnder } from '@mreg/artifact/domain';
import type { ArtifactTreeState, TreeListing } from '@mreg/artifact/domain';
import { ARTIFACT_STORAGE } from '@mreg/platform/artifact-storage';
import type { ArtifactStorage, ByteRange } from '@mreg/platform/artifact-storage';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ArtifactService } from './artifact.service';

/** Where the MLflow proxy serves registered versions' own files, read-only: `mreg-versions/<modelId>/<n>/…`. */
export const VERSIONS_PREFIX = 'mreg-versions';

export interface TreeUpload {
  readonly path: string;
  readonly contentType: string;
  readonly content: Readable;
  readonly maxBytes: number;
}

/**
 * The MLflow artifact tree: content-addressed blobs plus, per tree root, the latest upload of each path in the
 * log. Files uploaded here become a version's artifacts by import (no byte copy) when MLflow registers them.
 */
@Injectable()
export class ArtifactTreeService {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly versions: ArtifactService,
    @Inject(ARTIFACT_STORAGE) private readonly storage: ArtifactStorage,
  ) {}

  /**
   * The files under `path` when it lies in a registered version's read-only namespace
   * (`mreg-versions/<modelId>/<n>/…`): that version's manifest (sealed, digest-checked), as tree paths.
   */
  private async versionFiles(path: string, principal: Principal): Promise<ArtifactTreeState | undefined> {
    const [prefix, modelId, n] = path.split('/');
    if (prefix !== VERSIONS_PREFIX) return undefined;
    const version = Number(n);
    if (modelId === undefined || !Number.isSafeInteger(version) || version < 1) throw new DomainError('NOT_FOUND', `artifact ${path} not found`, { path });
    const base = `${VERSIONS_PREFIX}/${modelId}/${version}`;
    const entries = await this.versions.manifestOf(modelId, version, principal);
    return { entries: new Map(entries.map((e) => [`${base}/${e.path}`, { ...e, path: `${base}/${e.path}` }])) };
  }

  private async stateFor(path: string, principal: Principal): Promise<ArtifactTreeState> {
    return (await this.versionFiles(path, principal)) ?? (await this.load(artifactTreeRoot(path))).state;
  }

  private load(root: string) {
    return this.repository.load(streams.artifactTree(artifactTreeKey(root)), artifactTreeDecider);
  }

  /** Streams the body into storage (hashing on the way), then records the path; a clash is refused before storing. */
  async upload(request: TreeUpload, ctx: CommandContext): Promise<ArtifactEntry> {
    const { path, contentType } = request;
    refuseReserved(path);
    const root = artifactTreeRoot(path);
    const stream = streams.artifactTree(artifactTreeKey(root));
    // The tree's rules (root, file-vs-directory) with a stand-in digest, before a byte is read.
    artifactTreeDecider.decide({ type: 'RecordTreeFile', data: { root, path, size: 0, sha256: '0'.repeat(64), contentType } }, (await this.load(root)).state);
    const blob = await this.storage.put(request.content, { maxBytes: request.maxBytes });
    const entry = { path, size: blob.size, sha256: blob.sha256, contentType };
    // MLflow clients upload a directory's files in parallel, all into one tree stream: retry lost races longer.
    await this.repository.handle(stream, artifactTreeDecider, { type: 'RecordTreeFile', data: { root, ...entry } }, ctx, { retries: 30 });
    return entry;
  }

  /** `principal`: who reads (a registered version's files only for those who may read its model). */
  async find(path: string, principal: Principal): Promise<ArtifactEntry> {
    const entry = (await this.stateFor(path, principal)).entries.get(path);
    if (!entry) throw new DomainError('NOT_FOUND', `artifact ${path} not found`, { path });
    return entry;
  }

  /** The direct children of a directory (none for a file or a path nothing was uploaded under). */
  async list(dir: string, principal: Principal): Promise<TreeListing[]> {
    if (dir === '') return [];
    return listTreeDirectory(await this.stateFor(dir, principal), dir);
  }

  /**
   * The files at `source` (a directory, or one file) with paths relative to it: what a version registered from
   * that source imports.
   */
  async filesAt(source: string): Promise<ArtifactEntry[]> {
    const state = (await this.load(artifactTreeRoot(source))).state;
    const file = state.entries.get(source);
    if (file) return [{ ...file, path: source.slice(source.lastIndexOf('/') + 1) }];
    return treeFilesUnder(state, source).map((e) => ({ ...e, path: e.path.slice(source.length + 1) }));
  }

  async remove(path: string, ctx: CommandContext): Promise<void> {
    refuseReserved(path);
    const root = artifactTreeRoot(path);
    await this.repository.handle(streams.artifactTree(artifactTreeKey(root)), artifactTreeDecider, { type: 'RemoveTreePath', data: { root, path } }, ctx);
  }

  open(entry: ArtifactEntry, range?: ByteRange): Promise<Readable> {
    return this.storage.get(entry.sha256, range);
  }
}

function refuseReserved(path: string): void {
  if (path === VERSIONS_PREFIX || path.startsWith(`${VERSIONS_PREFIX}/`)) {
    throw new DomainError('PERMISSION_DENIED', `${VERSIONS_PREFIX}/ holds registered versions' files and is read-only`, { path });
  }
}
