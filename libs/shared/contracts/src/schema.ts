import { Type } from '@sinclair/typebox';
import type { SchemaOptions, Static, TLiteral, TNull, TRecord, TSchema, TString, TUnion, TUnknown } from '@sinclair/typebox';

// Building blocks for the message and integration-event definitions: each shape is written once, as a TypeBox
// schema, and both its TypeScript type (`Static`) and its JSON Schema (the schema object itself) come from it.

/** The JSON Schema dialect of every published schema. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A type with every property and array readonly, as the registry's contract types are. */
export type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The readonly TypeScript type of a schema. */
export type Shape<S extends TSchema> = DeepReadonly<Static<S>>;

/** A string from a fixed list (JSON Schema: `anyOf` of `const`s). */
export function stringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value as T[number])),
    options,
  );
}

/** A JSON object used as a map: keys match `keyPattern`, values are `value` (JSON Schema: `patternProperties`, nothing else). */
export function mapOf<V extends TSchema>(keyPattern: string, value: V, options: SchemaOptions & { maxProperties?: number } = {}): TRecord<TString, V> {
  return Type.Record(Type.String({ pattern: keyPattern }), value, { ...options, additionalProperties: false });
}

/** Any JSON object. */
export function anyObject(options: SchemaOptions = {}): TRecord<TString, TUnknown> {
  return Type.Record(Type.String(), Type.Unknown(), options);
}

/** A string or null. */
export function nullableString(options: SchemaOptions = {}): TUnion<[TString, TNull]> {
  return Type.Union([Type.String(), Type.Null()], options);
}

/** The plain JSON of a schema (TypeBox's symbol keys dropped), as a published document shows it. */
export function jsonSchemaOf(schema: TSchema, options: { dialect?: boolean } = {}): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return options.dialect ? { $schema: JSON_SCHEMA_DIALECT, ...plain } : plain;
}

/** `true` when a validating class (a DTO) has exactly the fields of a contract type; use with {@link Assert}. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;

/** Compile-time assertion: `Assert<X>` is an error unless X is `true`. */
export type Assert<T extends true> = T;
