import type { Event } from './event';

export interface ArtifactEntry {
  readonly path: string;
  readonly size: number;
  readonly sha256: string; // lowercase hex
  readonly contentType: string;
}

// ---- stream artifacts-<modelId>-<n>: the manifest of one version ------------------------------------
export type ArtifactAdded = Event<'ArtifactAdded', { modelId: string; version: number } & ArtifactEntry>;
/**
 * The files under a version's `artifactSource` joined its manifest by digest (no byte copy), paths relative to
 * that source; `entries` may be empty (nothing was uploaded there). Once per version.
 */
export type ArtifactsImported = Event<'ArtifactsImported', { modelId: string; version: number; source: string; entries: readonly ArtifactEntry[] }>;
export type ArtifactEvent = ArtifactAdded | ArtifactsImported;

// ---- stream artifact-tree-<sha256(root)[0..40]>: files uploaded through the MLflow artifact proxy --------
// A root is a tree path up to its first `artifacts` segment (`<experiment>/<run>/artifacts`), else its first
// segment. Paths are full tree paths; the blob is already stored by digest.
/** A file was uploaded at `path`; uploading the path again records the new content (MLflow overwrites). */
export type ArtifactTreeFileRecorded = Event<'ArtifactTreeFileRecorded', { root: string } & ArtifactEntry>;
export type ArtifactTreeFileRemoved = Event<'ArtifactTreeFileRemoved', { root: string; path: string }>;
export type ArtifactTreeEvent = ArtifactTreeFileRecorded | ArtifactTreeFileRemoved;
