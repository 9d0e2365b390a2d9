import type { Event } from './event';

export interface ArtifactEntry {
  readonly path: string;
  readonly size: number;
  readonly sha256: string; // lowercase hex
  readonly contentType: string;
}

// ---- stream artifacts-<modelId>-<n>: the manifest of one version ------------------------------------
export type ArtifactAdded = Event<'ArtifactAdded', { modelId: string; version: number } & ArtifactEntry>;
export type ArtifactEvent = ArtifactAdded;
