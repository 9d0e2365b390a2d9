// Character checks shared by the registry's input grammars. Loops over char codes rather than regexes
// with control characters in them (which linters rightly flag as suspicious).

function isControl(code: number): boolean {
  // C0 controls, DEL and C1 controls: invisible in UIs and logs.
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

/** True when `s` contains a C0/C1 control character or DEL. */
export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return true;
  return false;
}

/** Like hasControlChars, but tab, newline and carriage return are allowed (free text such as tag values). */
export function hasControlCharsExceptWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (isControl(code) && code !== 0x09 && code !== 0x0a && code !== 0x0d) return true;
  }
  return false;
}

// A lone surrogate cannot be encoded as UTF-8, so stores and wire formats would mangle it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `s` is not well-formed UTF-16 (has an unpaired surrogate). */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

// Bidirectional formatting characters reorder how text is displayed (the "Trojan Source" trick): a path or URI
// shown as `evil/txt.exe` can be stored as something else.
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** True when `s` contains a bidirectional formatting character (LRM, RLM, ALM, embeddings, overrides, isolates). */
export function hasBidiControl(s: string): boolean {
  return BIDI_CONTROL.test(s);
}
