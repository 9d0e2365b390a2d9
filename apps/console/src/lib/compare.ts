import { metric } from './format';

// The compare page's table: 2-4 versions side by side, a row per key, differences and the best metric marked.

export interface ComparedVersion {
  readonly label: string;
  readonly params: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly lineage: Readonly<Record<string, string | undefined>>;
  readonly artifacts: readonly { readonly path: string; readonly sha256: string; readonly size: number }[];
}

export type Section = 'params' | 'metrics' | 'tags' | 'lineage' | 'artifacts';

export interface CompareRow {
  readonly section: Section;
  readonly key: string;
  /** One cell per version, in the order given; undefined where the version has no such key. */
  readonly cells: readonly (string | undefined)[];
  /** Whether the versions disagree (a missing key counts as a difference). */
  readonly differs: boolean;
  /** Metrics: the indexes of the versions with the best value (lowest for losses and errors, highest otherwise). */
  readonly best: readonly number[];
}

const LOWER_IS_BETTER = /(loss|error|err\b|mse|rmse|mae|mape|latency|perplexity|^time|duration|fpr|false_?pos)/i;

/** Whether a lower value of the metric is the better one (losses, errors, latencies) by its name. */
export function lowerIsBetter(name: string): boolean {
  return LOWER_IS_BETTER.test(name);
}

function keysOf(records: readonly Readonly<Record<string, unknown>>[]): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))].sort((a, b) => a.localeCompare(b));
}

function row(section: Section, key: string, cells: (string | undefined)[], best: number[] = []): CompareRow {
  return { section, key, cells, differs: new Set(cells.map((c) => c ?? '\u0000missing')).size > 1, best };
}

function bestOf(name: string, values: readonly (number | undefined)[]): number[] {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length < 2) return [];
  const target = lowerIsBetter(name) ? Math.min(...present) : Math.max(...present);
  if (present.every((v) => v === target)) return [];
  return values.flatMap((v, i) => (v === target ? [i] : []));
}

/** The rows of the comparison, section by section (params, metrics, tags, lineage, artifacts by path and digest). */
export function compareRows(versions: readonly ComparedVersion[]): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const key of keysOf(versions.map((v) => v.params)))
    rows.push(
      row(
        'params',
        key,
        versions.map((v) => v.params[key]),
      ),
    );
  for (const key of keysOf(versions.map((v) => v.metrics))) {
    const values = versions.map((v) => v.metrics[key]);
    rows.push(
      row(
        'metrics',
        key,
        values.map((value) => (value === undefined ? undefined : metric(value))),
        bestOf(key, values),
      ),
    );
  }
  for (const key of keysOf(versions.map((v) => v.tags)))
    rows.push(
      row(
        'tags',
        key,
        versions.map((v) => v.tags[key]),
      ),
    );
  for (const key of keysOf(versions.map((v) => v.lineage)))
    rows.push(
      row(
        'lineage',
        key,
        versions.map((v) => v.lineage[key] || undefined),
      ),
    );
  const artifacts = versions.map((v) => Object.fromEntries(v.artifacts.map((a) => [a.path, a.sha256])));
  for (const path of keysOf(artifacts))
    rows.push(
      row(
        'artifacts',
        path,
        artifacts.map((a) => a[path]),
      ),
    );
  return rows;
}

/** `name@3` references as the compare URL carries them (`?v=fraud@3&v=fraud@4`); invalid ones are dropped. */
export function parseRefs(values: readonly string[]): { model: string; version: number }[] {
  return values.flatMap((raw) => {
    const at = raw.lastIndexOf('@');
    const version = Number(raw.slice(at + 1));
    return at > 0 && Number.isSafeInteger(version) && version > 0 ? [{ model: raw.slice(0, at), version }] : [];
  });
}
