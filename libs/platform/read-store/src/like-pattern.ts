// SQL LIKE matching, with no imports and no module state: the SQLite query worker thread runs this very code
// from its source text (LIKE_MATCHER_SOURCE), so the filter evaluator, the embedded SQL and the worker agree
// on every pattern.

type LikeToken = { readonly kind: 'any' } | { readonly kind: 'one' } | { readonly kind: 'char'; readonly char: string };

/**
 * SQL LIKE over code points, with `\` as escape character. Linear backtracking on the last `%` only, so a
 * hostile pattern costs O(value × pattern) at worst (a regular expression could take exponential time).
 */
export function likeMatches(value: string, pattern: string, caseInsensitive: boolean): boolean {
  const tokens = likeTokens(pattern);
  const chars = Array.from(value);
  const same = caseInsensitive ? sameIgnoringCase : (a: string, b: string): boolean => a === b;
  let v = 0;
  let p = 0;
  let starP = -1;
  let starV = 0;
  while (v < chars.length) {
    const token = tokens[p];
    if (token !== undefined && (token.kind === 'one' || (token.kind === 'char' && same(token.char, chars[v])))) {
      v++;
      p++;
    } else if (token !== undefined && token.kind === 'any') {
      starP = p++;
      starV = v;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (p < tokens.length && tokens[p].kind === 'any') p++;
  return p === tokens.length;
}

function likeTokens(pattern: string): LikeToken[] {
  const tokens: LikeToken[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '\\' && i + 1 < chars.length) tokens.push({ kind: 'char', char: chars[++i] });
    else if (char === '%') {
      // Consecutive % are one wildcard.
      if (tokens[tokens.length - 1]?.kind !== 'any') tokens.push({ kind: 'any' });
    } else if (char === '_') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', char });
  }
  return tokens;
}

function sameIgnoringCase(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

/** The matcher as source text, defining `likeMatches` (and its helpers) where it is evaluated. */
export const LIKE_MATCHER_SOURCE = [likeTokens, sameIgnoringCase, likeMatches].map((fn) => fn.toString()).join('\n');
