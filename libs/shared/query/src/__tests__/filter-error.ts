import { FilterError } from '../filter.errors';

/** The FilterError `run` throws for the filter `text` (specs read its message and column); any other outcome fails. */
export function filterErrorOf(run: () => unknown, text: string): FilterError {
  try {
    run();
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`expected a FilterError for: ${text}`);
}
