/** A filter that cannot be parsed or bound; the message says where and what was expected. */
export class FilterError extends Error {
  override readonly name = 'FilterError';

  /** 1-based column in the filter text, when the error comes from the parser. */
  readonly column: number | undefined;

  constructor(message: string, column?: number) {
    super(message);
    this.column = column;
  }
}
