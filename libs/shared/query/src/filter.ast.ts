/** The filter grammar's syntax tree, as parsed (field names not yet checked). */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type Literal = string | number;

export type FilterNode =
  | { readonly kind: 'and'; readonly left: FilterNode; readonly right: FilterNode }
  /** Matches every document the inner filter does not, missing values included (unlike `!=` and NOT LIKE). */
  | { readonly kind: 'not'; readonly filter: FilterNode }
  | { readonly kind: 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'compare'; readonly field: string; readonly op: CompareOp; readonly value: Literal }
  | {
      readonly kind: 'like';
      readonly field: string;
      readonly pattern: string;
      readonly caseInsensitive: boolean;
      /** `NOT LIKE` / `NOT ILIKE`; absent means a plain match. */
      readonly negated?: boolean;
    }
  | { readonly kind: 'in'; readonly field: string; readonly values: readonly Literal[] };

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
export type BoundFilter =
  | { readonly kind: 'and'; readonly left: BoundFilter; readonly right: BoundFilter }
  /** The complement of the inner filter: documents without the field match too. */
  | { readonly kind: 'not'; readonly filter: BoundFilter }
  | { readonly kind: 'or'; readonly left: BoundFilter; readonly right: BoundFilter }
  | { readonly kind: 'compare'; readonly field: BoundField; readonly op: CompareOp; readonly value: Literal }
  | {
      readonly kind: 'like';
      readonly field: BoundField;
      readonly pattern: string;
      readonly caseInsensitive: boolean;
      /** `NOT LIKE` / `NOT ILIKE`: adapters must invert the match. Absent means a plain match. */
      readonly negated?: boolean;
    }
  | { readonly kind: 'in'; readonly field: BoundField; readonly values: readonly Literal[] };

/**
 * The fields one list endpoint accepts. `fields` are fixed names; `prefixes` accept `<prefix>.<key>`
 * (e.g. tags.team); `bindFilter` accepts any key of 1..PREFIX_KEY_MAX characters without control characters.
 */
export interface FilterSchema {
  readonly fields: Readonly<Record<string, { readonly path: readonly string[]; readonly type: FieldType }>>;
  readonly prefixes?: Readonly<Record<string, { readonly path: readonly string[]; readonly type: FieldType }>>;
}
