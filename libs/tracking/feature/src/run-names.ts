import { createHash } from 'node:crypto';

// MLflow names unnamed runs "<adjective>-<noun>-<n>"; clients show these names, so mreg names them alike.
const ADJECTIVES = ['able', 'bold', 'brave', 'calm', 'clever', 'eager', 'fair', 'gentle', 'keen', 'lucky', 'merry', 'nimble', 'quiet', 'rare', 'swift', 'wise'];
const NOUNS = ['ant', 'bee', 'cat', 'crab', 'deer', 'dove', 'fox', 'hawk', 'kite', 'lark', 'mole', 'owl', 'ram', 'seal', 'wolf', 'wren'];

/** A readable name derived from an id (the same id always gets the same name). */
export function runNameFor(id: string): string {
  const h = createHash('sha256').update(id).digest();
  return `${ADJECTIVES[(h[0] ?? 0) % ADJECTIVES.length]}-${NOUNS[(h[1] ?? 0) % NOUNS.length]}-${((h[2] ?? 0) * 4 + (h[3] ?? 0)) % 1000}`;
}
