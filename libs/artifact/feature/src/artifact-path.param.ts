import { ApiError } from '@mreg/platform/runtime';
import { validateArtifactPath } from '@mreg/shared/util';

/**
 * The artifact path from the raw request URL: each segment percent-decoded on its own, so an encoded "/"
 * (%2F) or "." segments cannot smuggle a different path past the router; then the safe-path grammar.
 */
export function artifactPathFromUrl(rawUrl: string, marker = '/artifacts/'): string {
  const pathOnly = rawUrl.split('?')[0] ?? '';
  const at = pathOnly.indexOf(marker);
  if (at < 0) throw new ApiError('INVALID_ARGUMENT', 'missing artifact path');
  const raw = pathOnly.slice(at + marker.length);
  const segments = raw.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new ApiError('INVALID_ARGUMENT', 'artifact path is not valid percent-encoded UTF-8');
    }
    if (decoded.includes('/')) throw new ApiError('INVALID_ARGUMENT', 'artifact path segments must not contain an encoded "/"');
    return decoded;
  });
  return checkedArtifactPath(segments.join('/'));
}

/** An artifact path through the safe-path grammar (400 when it is not one). */
export function checkedArtifactPath(path: string): string {
  const problem = validateArtifactPath(path);
  if (problem) throw new ApiError('INVALID_ARGUMENT', problem);
  return path;
}
