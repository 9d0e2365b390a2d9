import { hasBidiControl, hasControlChars, hasLoneSurrogate } from './text-checks';

export const ARTIFACT_PATH_MAX = 1024;
/** In UTF-8 bytes: the usual file-system limit for one name. */
export const ARTIFACT_SEGMENT_MAX_BYTES = 255;

/**
 * Checks that `p` is a safe relative POSIX path inside an artifact store: it can never climb out of its root
 * or mean different things to different storage backends, file systems or the clients that display it. `p` must
 * already be URL-decoded once; one grammar serves uploads, downloads and the manifest. Returns the reason it is
 * rejected, or undefined.
 */
export function validateArtifactPath(p: string): string | undefined {
  if (typeof p !== 'string' || p.length === 0) return 'artifact path must not be empty';
  if (p.length > ARTIFACT_PATH_MAX) return `artifact path must be at most ${ARTIFACT_PATH_MAX} characters`;
  if (hasControlChars(p)) return 'artifact path must not contain control characters';
  if (hasLoneSurrogate(p)) return 'artifact path must be valid Unicode text';
  if (hasBidiControl(p)) return 'artifact path must not contain bidirectional formatting characters';
  // Windows separators would let `a\..\..\x` escape on some backends.
  if (p.includes('\\')) return 'artifact path must not contain a backslash';
  // `;` (path parameters, `..;/` on Java servers), `:` (drive letters, alternate data streams, schemes) and `#`
  // (a fragment to any URL client) mean something else somewhere down the line.
  if (/[;:#]/.test(p)) return 'artifact path must not contain ";", ":" or "#"';
  // A path that still decodes (`%2e%2e%2f` after one decoding) is a traversal waiting for a second decoder.
  if (/%[0-9A-Fa-f]{2}/.test(p)) return 'artifact path must not contain percent-encoded characters after decoding';
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
