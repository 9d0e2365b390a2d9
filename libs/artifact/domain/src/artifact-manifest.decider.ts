import type { Decider } from '@mreg/shared/contracts';
import { DomainError, artifactsSealedIn, type ArtifactEntry, type ArtifactEvent, type Stage } from '@mreg/shared/contracts';
import type { Command } from '@mreg/shared/contracts';
import { unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import { withEntry } from './artifact-entries';

// Stream artifacts-<modelId>-<n>: the manifest of one version's files (path, size, sha256). Paths arrive
// validated and normalized ("a/b.bin", no leading or trailing slash); the blob is already stored by digest.

export type AddArtifact = Command<
  'AddArtifact',
  {
    modelId: string;
    version: number;
    path: string;
    size: number;
    sha256: string;
    contentType: string;
    /** The version's current stage as the caller found it; null when the version does not exist or was deleted. */
    versionStage: Stage | null;
  }
>;
/**
 * The files an MLflow registration named (its `artifactSource` in the artifact tree) join the version's manifest
 * by digest, once: a redelivered import changes nothing. Not subject to sealing: this is how a version registered
 * through MLflow gets its initial files, whatever its stage by the time the import runs.
 */
export type ImportArtifacts = Command<'ImportArtifacts', { modelId: string; version: number; source: string; entries: readonly ArtifactEntry[] }>;
export type ArtifactManifestCommand = AddArtifact | ImportArtifacts;

export interface ArtifactManifestState {
  /** path → entry, in the order the artifacts were added */
  readonly entries: ReadonlyMap<string, ArtifactEntry>;
  /** Sum of all entries' sizes, in bytes. */
  readonly totalSize: number;
  /** The artifact-tree path the version's files were imported from, once imported. */
  readonly importedFrom?: string;
}

export const initialArtifactManifestState: ArtifactManifestState = { entries: new Map(), totalSize: 0 };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function findArtifact(state: ArtifactManifestState, path: string): ArtifactEntry | undefined {
  return state.entries.get(path);
}

/** The manifest's entries, sorted by path. */
export function listArtifacts(state: ArtifactManifestState): ArtifactEntry[] {
  return [...state.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An existing path that is a directory of `path` or has `path` as its directory, if any. */
function fileDirectoryClash(state: ArtifactManifestState, path: string): string | undefined {
  for (const existing of state.entries.keys()) {
    if (path.startsWith(`${existing}/`) || existing.startsWith(`${path}/`)) return existing;
  }
  return undefined;
}

export function decideArtifactManifest(command: ArtifactManifestCommand, state: ArtifactManifestState): ArtifactEvent[] {
  switch (command.type) {
    case 'AddArtifact': {
      const { modelId, version, path, size, sha256, contentType, versionStage } = command.data;
      if (versionStage === null) throw new DomainError('NOT_FOUND', `version ${version} not found`, { modelId, version });
      if (!Number.isSafeInteger(size) || size < 0) throw new DomainError('INVALID_ARGUMENT', 'artifact size must be a non-negative integer', { path, size });
      if (!SHA256_HEX.test(sha256)) throw new DomainError('INVALID_ARGUMENT', 'sha256 must be 64 lowercase hex digits', { path, sha256 });
      const existing = state.entries.get(path);
      // A retried upload of the same content succeeds without a second event, even once the version is sealed.
      if (existing?.sha256 === sha256) return [];
      if (artifactsSealedIn(versionStage)) {
        throw new DomainError('CONFLICT', `artifacts are sealed: version is in ${versionStage}`, { modelId, version, stage: versionStage });
      }
      if (existing !== undefined) throw new DomainError('ALREADY_EXISTS', `artifact path exists: ${path}`, { path, sha256: existing.sha256 });
      const clash = fileDirectoryClash(state, path);
      if (clash !== undefined) {
        throw new DomainError('CONFLICT', `artifact path ${path} clashes with ${clash}: a path cannot be both a file and a directory`, { path, existingPath: clash });
      }
      return [{ type: 'ArtifactAdded', data: { modelId, version, path, size, sha256, contentType } }];
    }
    case 'ImportArtifacts': {
      const { modelId, version, source, entries } = command.data;
      if (state.importedFrom !== undefined) return [];
      const seen = new Set<string>();
      for (const entry of entries) {
        if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new DomainError('INVALID_ARGUMENT', 'artifact size must be a non-negative integer', { path: entry.path, size: entry.size });
        if (!SHA256_HEX.test(entry.sha256)) throw new DomainError('INVALID_ARGUMENT', 'sha256 must be 64 lowercase hex digits', { path: entry.path, sha256: entry.sha256 });
        if (seen.has(entry.path)) throw new DomainError('INVALID_ARGUMENT', `artifact path ${entry.path} is imported twice`, { path: entry.path });
        seen.add(entry.path);
      }
      return [{ type: 'ArtifactsImported', data: { modelId, version, source, entries } }];
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveArtifactManifest(state: ArtifactManifestState, event: ArtifactEvent): ArtifactManifestState {
  switch (event.type) {
    case 'ArtifactAdded': {
      const replaced = state.entries.get(event.data.path);
      return { ...state, entries: withEntry(state.entries, event.data), totalSize: state.totalSize - (replaced?.size ?? 0) + event.data.size };
    }
    case 'ArtifactsImported': {
      const entries = new Map(state.entries);
      let totalSize = state.totalSize;
      for (const { path, size, sha256, contentType } of event.data.entries) {
        totalSize += size - (entries.get(path)?.size ?? 0);
        entries.set(path, { path, size, sha256, contentType });
      }
      return { entries, totalSize, importedFrom: event.data.source };
    }
    default:
      return unknownEvent(event, state);
  }
}

export const artifactManifestDecider = { decide: decideArtifactManifest, evolve: evolveArtifactManifest, initialState: initialArtifactManifestState } satisfies Decider<ArtifactManifestState, ArtifactManifestCommand, ArtifactEvent>;
