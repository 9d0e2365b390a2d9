import { useState } from 'react';

/**
 * The page tokens a list went through, so that "Previous" can go back: the API's page tokens only lead forward.
 * `open(token)` shows the page of that token (undefined: the first page).
 */
export function usePageTrail(pageToken: string | undefined, open: (token: string | undefined) => void) {
  const [trail, setTrail] = useState<(string | undefined)[]>([]);
  return {
    hasPrevious: pageToken !== undefined,
    onPrevious: () => {
      setTrail(trail.slice(0, -1));
      open(trail[trail.length - 1]);
    },
    onNext: (token: string) => {
      setTrail([...trail, pageToken]);
      open(token);
    },
    /** A new query starts a new trail. */
    reset: () => setTrail([]),
  };
}
