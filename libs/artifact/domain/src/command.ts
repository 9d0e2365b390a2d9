/** A request to change one aggregate: a PascalCase imperative type and its payload (emmett's Command). */
export type Command<Type extends string, Data extends object = Record<string, never>> = Readonly<{
  type: Type;
  data: Readonly<Data>;
}>;
