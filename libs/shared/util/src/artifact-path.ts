import { hasControlChars, hasLoneSurrogate } from './text-checks';

export const ARTIFACT_PATH_MAX = 1024;
/** In UTF-8 bytes: the usual file-system limit for one name. */
export const ARTIFACT_SEGMENT_MAX_BYTES = 255;

/**
 * Checks that `p` is a safe relative POSIX path inside an artifact store: it can never climb out of its root
 * or mean different things to different storage backends. `p` must already be URL-decoded; a literal `%` is
 * just a character here. Returns the reason it is rejected, or undefined.
 */
export function validateArtifactPath(p: string): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'artifact path must not be empty';
  if (p.length > ARTIFACT_PATH_MAX) return `artifact path must be at most ${ARTIFACT_PATH_MAX} characters`;
  if (hasControlChars(p)) return 'artifact path must not contain control characters';
  if (hasLoneSurrogate(p)) return 'artifact path must be valid Unicode text';
  // Windows separators would let `a\..\..\x` escape on some backends.
  if (p.includes('\\')) return 'artifact path must not contain a backslash';
  if (p.startsWith('/')) return 'artifact path must be relative (no leading "/")';
  if (p.endsWith('/')) return 'artifact path must not end with "/"';
  for (const segment of p.split('/')) {
    if (segment.length === 0) return 'artifact path must not contain empty segments ("//")';
    if (segment === '.' || segment === '..') return 'artifact path must not contain "." or ".." segments';
    if (Buffer.byteLength(segment, 'utf8') > ARTIFACT_SEGMENT_MAX_BYTES) {
      return `artifact path segments must be at most ${ARTIFACT_SEGMENT_MAX_BYTES} bytes`;
    }
  }
  return undefined;
}
