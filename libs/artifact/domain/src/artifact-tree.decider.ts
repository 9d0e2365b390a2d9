import type { Decider } from '@mreg/shared/contracts';
import { DomainError, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { ArtifactEntry, ArtifactTreeEvent, Command } from '@mreg/shared/contracts';
import { withEntry } from './artifact-entries';

// Stream artifact-tree-<key>: the files uploaded through the MLflow artifact proxy under one root. MLflow's
// artifact store is a plain file tree where an upload overwrites: the latest upload of a path is its content.
// Paths are full tree paths, validated and normalized ("1/abc/artifacts/model/MLmodel").

export type RecordTreeFile = Command<'RecordTreeFile', { root: string } & ArtifactEntry>;
/** Removes a file, or every file under a directory. */
export type RemoveTreePath = Command<'RemoveTreePath', { root: string; path: string }>;
export type ArtifactTreeCommand = RecordTreeFile | RemoveTreePath;

export interface ArtifactTreeState {
  /** full tree path → entry */
  readonly entries: ReadonlyMap<string, ArtifactEntry>;
}

export const initialArtifactTreeState: ArtifactTreeState = { entries: new Map() };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The root (stream) a tree path belongs to: the path up to and including its first `artifacts` segment
 * (a run's or a logged model's artifact root), else its first segment.
 */
export function artifactTreeRoot(path: string): string {
  const segments = path.split('/');
  const at = segments.indexOf('artifacts');
  return at >= 0 ? segments.slice(0, at + 1).join('/') : (segments[0] ?? '');
}

const isUnder = (path: string, dir: string) => dir === '' || path.startsWith(`${dir}/`);

/** Files strictly under `dir` (a directory path; '' for all), sorted by path. */
export function treeFilesUnder(state: ArtifactTreeState, dir: string): ArtifactEntry[] {
  return [...state.entries.values()].filter((e) => isUnder(e.path, dir)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface TreeListing {
  readonly name: string;
  readonly isDir: boolean;
  readonly size?: number;
}

/** The direct children of directory `dir`: files with their size, sub-directories once, sorted by name. */
export function listTreeDirectory(state: ArtifactTreeState, dir: string): TreeListing[] {
  const children = new Map<string, TreeListing>();
  for (const entry of treeFilesUnder(state, dir)) {
    const rest = dir === '' ? entry.path : entry.path.slice(dir.length + 1);
    const slash = rest.indexOf('/');
    if (slash < 0) children.set(rest, { name: rest, isDir: false, size: entry.size });
    else children.set(rest.slice(0, slash), { name: rest.slice(0, slash), isDir: true });
  }
  return [...children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function decideArtifactTree(command: ArtifactTreeCommand, state: ArtifactTreeState): ArtifactTreeEvent[] {
  switch (command.type) {
    case 'RecordTreeFile': {
      const { root, path, size, sha256, contentType } = command.data;
      if (artifactTreeRoot(path) !== root) throw new DomainError('INVALID_ARGUMENT', `artifact path ${path} does not belong to the tree root ${root}`, { path, root });
      if (!Number.isSafeInteger(size) || size < 0) throw new DomainError('INVALID_ARGUMENT', 'artifact size must be a non-negative integer', { path, size });
      if (!SHA256_HEX.test(sha256)) throw new DomainError('INVALID_ARGUMENT', 'sha256 must be 64 lowercase hex digits', { path, sha256 });
      const existing = state.entries.get(path);
      if (existing?.sha256 === sha256 && existing.contentType === contentType) return [];
      for (const other of state.entries.keys()) {
        if (isUnder(path, other) || isUnder(other, path)) {
          throw new DomainError('CONFLICT', `artifact path ${path} clashes with ${other}: a path cannot be both a file and a directory`, { path, existingPath: other });
        }
      }
      return [{ type: 'ArtifactTreeFileRecorded', data: { root, path, size, sha256, contentType } }];
    }
    case 'RemoveTreePath': {
      const { root, path } = command.data;
      const gone = state.entries.has(path) ? [path] : treeFilesUnder(state, path).map((e) => e.path);
      return gone.map((p) => ({ type: 'ArtifactTreeFileRemoved', data: { root, path: p } }));
    }
    default:
      return unknownCommand(command);
  }
}

export function evolveArtifactTree(state: ArtifactTreeState, event: ArtifactTreeEvent): ArtifactTreeState {
  switch (event.type) {
    case 'ArtifactTreeFileRecorded': {
      return { entries: withEntry(state.entries, event.data) };
    }
    case 'ArtifactTreeFileRemoved': {
      const entries = new Map(state.entries);
      entries.delete(event.data.path);
      return { entries };
    }
    default:
      return unknownEvent(event, state);
  }
}

export const artifactTreeDecider = { decide: decideArtifactTree, evolve: evolveArtifactTree, initialState: initialArtifactTreeState } satisfies Decider<ArtifactTreeState, ArtifactTreeCommand, ArtifactTreeEvent>;
