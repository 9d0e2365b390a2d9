/**
 * The first key that appears twice in one object of a JSON text, or undefined. JSON.parse keeps the last of
 * duplicate keys without a word, so `{"stage":"staging","stage":"production"}` would mean different things to
 * different parsers (a proxy that checks the first, a server that uses the last). One pass, no recursion; on
 * text that is not JSON it stops quietly (the JSON parser refuses that text itself).
 */
export function duplicateKeyIn(text: string): string | undefined {
  // One set of keys per open object; null marks an open array.
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      const top = open[open.length - 1];
      if (expectKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          return undefined;
        }
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open.length > 0 && open[open.length - 1] !== null;
    }
  }
  return undefined;
}
