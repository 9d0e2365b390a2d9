import { DomainError } from '@mreg/shared/contracts';
import type { MetricValue } from '@mreg/shared/contracts';

// MLflow's limits and key grammar (mlflow/utils/validation.py), so a client gets the answers it expects:
// INVALID_ARGUMENT (400 INVALID_PARAMETER_VALUE) for anything MLflow's own server refuses.

export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;
export const MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20000;
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
export const MAX_RUN_NAME_LENGTH = 250;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_DATASET_NAME_LENGTH = 500;
export const MAX_DATASET_DIGEST_LENGTH = 36;
export const MAX_DATASET_SOURCE_LENGTH = 65535;
export const MAX_DATASET_SCHEMA_LENGTH = 1048575;
export const MAX_INPUT_TAG_KEY_LENGTH = 255;
export const MAX_INPUT_TAG_VALUE_LENGTH = 500;

// Letters, digits, "_", "-", ".", " ", ":" and "/" (MLflow's \w is Unicode-aware).
const KEY = /^[/\p{L}\p{N}_.\- :]*$/u;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new DomainError('INVALID_ARGUMENT', message, details);
}

/** A name that would resolve to another name as a file path ("a/../b", "./a", "/a", "a/"). */
function resolvesElsewhere(key: string): boolean {
  const segments = key.split('/');
  if (key.startsWith('/')) return true;
  return segments.some((s, i) => s === '.' || s === '..' || (s === '' && i > 0)) || key === '.';
}

/** Param, metric and tag keys. */
export function checkKey(what: string, key: string): void {
  if (key.length === 0) invalid(`Invalid value "" for parameter '${what}' supplied: ${what} must not be empty`);
  if (key.length > MAX_KEY_LENGTH) invalid(`${what} '${key.slice(0, 100)}...' had length ${key.length}, which exceeded length limit of ${MAX_KEY_LENGTH}`);
  if (!KEY.test(key)) {
    invalid(`Invalid value "${key}" for parameter '${what}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`);
  }
  if (resolvesElsewhere(key)) {
    invalid(`Invalid value "${key}" for parameter '${what}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  }
}

export function checkLength(what: string, value: string, max: number): void {
  if (value.length > max) invalid(`${what} '${value.slice(0, 100)}...' had length ${value.length}, which exceeded length limit of ${max}`);
}

export function checkParam(key: string, value: string): void {
  checkKey('key', key);
  checkLength('Param value', value, MAX_PARAM_VALUE_LENGTH);
}

export function checkTag(key: string, value: string, maxValue = MAX_TAG_VALUE_LENGTH): void {
  checkKey('key', key);
  checkLength('Tag value', value, maxValue);
}

export function checkTags(tags: Readonly<Record<string, string>>, maxValue = MAX_TAG_VALUE_LENGTH): void {
  for (const [key, value] of Object.entries(tags)) checkTag(key, value, maxValue);
}

export function checkMetricValue(key: string, value: MetricValue): void {
  if (typeof value === 'number' ? Number.isNaN(value) : !NON_FINITE.has(value)) invalid(`Got invalid value ${String(value)} for metric '${key}'`);
}

export function checkEpochMillis(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) invalid(`${what} must be a non-negative integer number of milliseconds, got ${value}`);
}

export function checkStep(key: string, step: number): void {
  if (!Number.isSafeInteger(step)) invalid(`Got invalid step ${step} for metric '${key}': steps are integers`);
}
