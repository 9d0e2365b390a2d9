import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { ArtifactEntry } from '@mreg/shared/contracts';
import type { ByteRange } from '@mreg/platform/artifact-storage';
import { ApiError } from '@mreg/platform/runtime';
import { formatContentDigest } from '@mreg/shared/util';
import { parseRange } from './byte-range';

/**
 * Sends one stored artifact: ETag (its SHA-256), Content-Digest, one byte range (206/416), If-None-Match and
 * If-Range, HEAD; the body streamed from storage. Shared by every door that serves artifacts.
 */
export async function sendArtifact(req: Request, res: Response, entry: ArtifactEntry, open: (range?: ByteRange) => Promise<Readable>): Promise<void> {
  const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, entry.size);
  const etag = `"${entry.sha256}"`;
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', etag);
  res.setHeader('Content-Type', servedContentType(entry.contentType));
  res.setHeader('Content-Disposition', attachment(entry.path));
  res.setHeader('Content-Digest', formatContentDigest(entry.sha256));
  res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  if (range.kind === 'unsatisfiable') {
    // The 416 body is the JSON error envelope: the artifact's type, digest and caching headers do not describe it.
    for (const header of ['Content-Type', 'Content-Disposition', 'Content-Digest', 'Cache-Control']) res.removeHeader(header);
    res.setHeader('Content-Range', `bytes */${entry.size}`);
    throw new ApiError('RANGE_NOT_SATISFIABLE', `range not satisfiable for ${entry.size} bytes`);
  }
  const ifRange = req.headers['if-range'];
  const useRange = range.kind === 'range' && (ifRange === undefined || ifRange === etag);
  if (useRange) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${entry.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(entry.size));
  }
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const body = await open(useRange ? { start: range.start, end: range.end } : undefined);
  await pipeline(body, res).catch(() => res.destroy());
}

// Types a browser would run or render as a document (HTML, SVG, XML, scripts, style sheets, PDF): an artifact is
// data, so these are served as plain bytes whatever the uploader declared. The declared type stays in the manifest.
const ACTIVE_TYPE = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|[a-z]+\/[a-z0-9.+-]*\+xml|[a-z]+\/(x-)?(java|ecma)script|text\/css|application\/pdf|multipart\/.*|message\/.*)$/;

/** The Content-Type a download is served with: the declared one, unless a browser would treat it as active content. */
export function servedContentType(declared: string): string {
  return ACTIVE_TYPE.test(declared) ? 'application/octet-stream' : declared;
}

/** `attachment` with the file's name (RFC 6266: an ASCII fallback and the UTF-8 name), so browsers save, never render. */
function attachment(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

/** The media type an upload declares (its essence, lower-cased); octet-stream when it declares none. */
export function uploadContentType(header: string | undefined): string {
  if (header === undefined || header.trim() === '') return 'application/octet-stream';
  const essence = header.split(';')[0]?.trim() ?? '';
  if (!CONTENT_TYPE.test(essence)) throw new ApiError('INVALID_ARGUMENT', 'invalid Content-Type header');
  return essence.toLowerCase();
}

/** A declared Content-Length over the limit is refused before a byte is read (413, connection closed). */
export function refuseOversizedUpload(req: Request, res: Response, maxBytes: number): void {
  const length = req.headers['content-length'];
  if (length !== undefined && (!/^\d{1,20}$/.test(length) || Number(length) > maxBytes)) {
    res.setHeader('Connection', 'close');
    throw new ApiError('PAYLOAD_TOO_LARGE', `artifacts may be at most ${maxBytes} bytes`);
  }
}
