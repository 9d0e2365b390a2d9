import { useState } from 'react';
import { ApiProblem, problemOf } from '../api/client';
import { bytes, sha256Hex } from '../lib/format';
import { useSession } from '../lib/session';

/** An artifact's URL: each segment of its path encoded, the slashes kept. */
export function artifactUrl(model: string, version: number, path: string): string {
  return `/api/v1/models/${encodeURIComponent(model)}/versions/${version}/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Downloads an artifact with the bearer token (a plain link could not send it): streamed with a progress bar,
 * its SHA-256 checked against the manifest before the browser saves it.
 */
export function Download({ model, version, path, size, sha256 }: { model: string; version: number; path: string; size: number; sha256: string }) {
  const { api } = useSession();
  const [received, setReceived] = useState<number | undefined>();
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>();
  const [error, setError] = useState<ApiProblem | undefined>();
  const start = async () => {
    setError(undefined);
    setResult(undefined);
    setReceived(0);
    try {
      const response = await fetch(artifactUrl(model, version, path), { headers: api.headers() });
      if (!response.ok || !response.body) throw problemOf(response.status, await response.json().catch(() => undefined));
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        total += value.byteLength;
        setReceived(total);
      }
      const blob = new Blob(chunks as BlobPart[], { type: response.headers.get('content-type') ?? 'application/octet-stream' });
      const digest = await sha256Hex(await blob.arrayBuffer());
      const matches = digest === sha256.toLowerCase();
      setResult({ ok: matches, text: matches ? `SHA-256 verified (${digest.slice(0, 12)}…)` : `SHA-256 mismatch: got ${digest}, expected ${sha256}` });
      if (!matches) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = path.split('/').pop() || 'artifact';
      document.body.appendChild(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (problem) {
      setError(problem instanceof ApiProblem ? problem : new ApiProblem(0, 'NETWORK', problem instanceof Error ? problem.message : String(problem)));
    } finally {
      setReceived(undefined);
    }
  };
  return (
    <div className="download">
      <button type="button" onClick={() => void start()} disabled={received !== undefined} aria-label={`Download ${path}`}>
        Download
      </button>
      {received !== undefined ? (
        <span role="status">
          <progress max={size || undefined} value={received} aria-label={`Downloading ${path}`} /> {bytes(received)} of {bytes(size)}
        </span>
      ) : null}
      {result ? (
        <span className={result.ok ? 'success' : 'error'} role="status" data-testid="digest-check">
          {result.text}
        </span>
      ) : null}
      {error ? (
        <span className="error" role="alert">
          {error.message}
        </span>
      ) : null}
    </div>
  );
}
