import { useState } from 'react';
import { ApiProblem } from '../api/client';

/** Runs a write, keeps the button busy meanwhile and the API's message when it refuses. */
export function useAction(after?: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiProblem | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = async (write: () => Promise<unknown>, success?: string) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await write();
      setDone(success);
      after?.();
      return true;
    } catch (problem) {
      setError(problem instanceof ApiProblem ? problem : new ApiProblem(0, 'ERROR', problem instanceof Error ? problem.message : String(problem)));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, run, clear: () => setError(undefined) };
}
