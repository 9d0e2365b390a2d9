import type { ArtifactEntry } from '@mreg/shared/contracts';

/** A new map of `entries` with `entry` at its path (replacing what was there, keeping the map's order). */
export function withEntry(entries: ReadonlyMap<string, ArtifactEntry>, { path, size, sha256, contentType }: ArtifactEntry): Map<string, ArtifactEntry> {
  return new Map(entries).set(path, { path, size, sha256, contentType });
}
