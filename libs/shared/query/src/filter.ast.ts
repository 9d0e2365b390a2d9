/** The filter grammar's syntax tree. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Literal = string | number;

/**
 * The filter tree over fields of type `F`: as parsed (`FilterNode`, field names) and after binding (`BoundFilter`,
 * every field known, every value coerced to its field's type).
 */
type FilterTree<F> =
  | { readonly kind: 'and'; readonly left: FilterTree<F>; readonly right: FilterTree<F> }
  /** Matches every document the inner filter does not, missing values included (unlike `!=` and NOT LIKE). */
  | { readonly kind: 'not'; readonly filter: FilterTree<F> }
  | { readonly kind: 'or'; readonly left: FilterTree<F>; readonly right: FilterTree<F> }
  | { readonly kind: 'compare'; readonly field: F; readonly op: CompareOp; readonly value: Literal }
  | {
      readonly kind: 'like';
      readonly field: F;
      readonly pattern: string;
      readonly caseInsensitive: boolean;
      /** `NOT LIKE` / `NOT ILIKE` (adapters invert the match); absent means a plain match. */
      readonly negated?: boolean;
    }
  | { readonly kind: 'in'; readonly field: F; readonly values: readonly Literal[] };

/** As parsed: field names not yet checked. */
export type FilterNode = FilterTree<string>;

/** Type of a field's values; timestamps are compared as ISO-8601 UTC strings. */
export type FieldType = 'string' | 'number' | 'timestamp';

/** A field resolved against a collection's schema: where it lives in the document and its type. */
export interface BoundField {
  readonly name: string;
  /** Path of keys inside the stored document, e.g. ['tags', 'team']. Keys are validated, never raw text. */
  readonly path: readonly string[];
  readonly type: FieldType;
}

/** The filter after binding: every field known, every value coerced to its field's type. */
export type BoundFilter = FilterTree<BoundField>;

/**
 * The fields one list endpoint accepts. `fields` are fixed names; `prefixes` accept `<prefix>.<key>`
 * (e.g. tags.team); `bindFilter` accepts any key of 1..PREFIX_KEY_MAX characters without control characters.
 */
export interface FilterSchema {
  readonly fields: Readonly<Record<string, { readonly path: readonly string[]; readonly type: FieldType }>>;
  readonly prefixes?: Readonly<Record<string, { readonly path: readonly string[]; readonly type: FieldType }>>;
}
