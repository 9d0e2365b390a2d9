import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../api/client';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiProblem | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** How often lists re-read the registry while the tab is visible, so they follow changes without a reload. */
export const POLL_MS = 5000;

function asProblem(error: unknown): ApiProblem {
  return error instanceof ApiProblem ? error : new ApiProblem(0, 'ERROR', error instanceof Error ? error.message : String(error));
}

/**
 * Runs `load` when `key` changes and again every `pollMs` while the page is visible (keeping the last data while
 * it re-reads, so nothing flickers); an answer to an older key is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiProblem; loading: boolean }>({ key, loading: true });
  const latest = useRef(load);
  latest.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let live = true;
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, loading: true }));
    latest.current().then(
      (data) => live && setState({ key, data, loading: false }),
      (error: unknown) => live && setState((s) => ({ key, ...(s.key === key && s.data !== undefined ? { data: s.data } : {}), error: asProblem(error), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);

  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, pollMs);
    return () => window.clearInterval(timer);
  }, [pollMs, reload, key]);

  if (state.key !== key) return { data: undefined, error: undefined, loading: true, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
