/** Reading option values: booleans and Flink durations. */
import type { LookupCacheConfig, OptionSpec } from '../runtime/connector.js';

/** True when a boolean option is set to `true` (case-insensitive); false when unset or anything else. */
export function isTrue(options: Readonly<Record<string, string>>, key: string): boolean {
  return options[key]?.trim().toLowerCase() === 'true';
}

import { parseDuration } from '../common/duration.js';

export { parseDuration };

/** The default of `errors.max-record-bytes`: 1 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576;

/** A source's `errors.max-record-bytes` (a positive integer, validated before), or the default 1 MiB. */
export function maxRecordBytes(options: Readonly<Record<string, string>>): number {
  const text = options['errors.max-record-bytes'];
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_RECORD_BYTES;
}

/** Flink's lookup cache options, for connectors that can be looked up (see {@link lookupCache}). */
export const LOOKUP_OPTIONS: readonly OptionSpec[] = [
  { key: 'lookup.cache', description: "The cache of a lookup join: 'NONE' (every row reads the table) or 'PARTIAL' (rows read are kept, by key).", defaultValue: 'NONE', values: ['NONE', 'PARTIAL'] },
  { key: 'lookup.partial-cache.max-rows', description: 'The most keys the PARTIAL cache holds; the least recently used leave first.' },
  { key: 'lookup.partial-cache.expire-after-write', description: 'A cached key is read again this long after it was read (a duration).' },
  { key: 'lookup.partial-cache.expire-after-access', description: 'A cached key is read again when it was not used for this long (a duration).' },
  { key: 'lookup.partial-cache.cache-missing-key', description: 'Whether keys the table does not have are cached too.', defaultValue: 'true', values: ['true', 'false'] },
];

const PARTIAL_CACHE_LIMITS = ['lookup.partial-cache.max-rows', 'lookup.partial-cache.expire-after-write', 'lookup.partial-cache.expire-after-access'];

/** Problems with the lookup cache options together: limits without a PARTIAL cache, a PARTIAL cache without a limit. */
export function lookupOptionProblems(options: Readonly<Record<string, string>>): { key: string; message: string; hint?: string }[] {
  const partial = options['lookup.cache']?.trim().toUpperCase() === 'PARTIAL';
  const given = Object.keys(options).filter((k) => k.startsWith('lookup.partial-cache.'));
  if (!partial) {
    return given.map((key) => ({ key, message: `Option '${key}' applies only with 'lookup.cache' = 'PARTIAL'`, hint: "add 'lookup.cache' = 'PARTIAL', or remove the option" }));
  }
  if (!PARTIAL_CACHE_LIMITS.some((k) => options[k] !== undefined)) {
    return [{ key: 'lookup.cache', message: `A PARTIAL lookup cache needs a limit: one of ${PARTIAL_CACHE_LIMITS.map((k) => `'${k}'`).join(', ')}`, hint: "e.g. 'lookup.partial-cache.max-rows' = '10000'" }];
  }
  return [];
}

/** The lookup cache the options ask for (validated before), or undefined for 'NONE'. */
export function lookupCache(options: Readonly<Record<string, string>>): LookupCacheConfig | undefined {
  if (options['lookup.cache']?.trim().toUpperCase() !== 'PARTIAL') return undefined;
  const ms = (key: string) => (options[key] === undefined ? undefined : parseDuration(options[key]!));
  const maxRows = options['lookup.partial-cache.max-rows'];
  return {
    ...(maxRows !== undefined ? { maxRows: Number(maxRows) } : {}),
    ...(ms('lookup.partial-cache.expire-after-write') !== undefined ? { expireAfterWriteMs: ms('lookup.partial-cache.expire-after-write') } : {}),
    ...(ms('lookup.partial-cache.expire-after-access') !== undefined ? { expireAfterAccessMs: ms('lookup.partial-cache.expire-after-access') } : {}),
    cacheMissingKey: options['lookup.partial-cache.cache-missing-key']?.trim().toLowerCase() !== 'false',
  };
}
