/** Checks a table's WITH options against its connector's and format's declared options. */
import type { ConnectorFactory, FormatFactory, OptionSpec, TableShape } from '../runtime/connector.js';
import { didYouMean } from '../common/errors.js';
import type { OptionProblem } from '../planner/binder/binder-context.js';
import { DEFAULT_MAX_RECORD_BYTES, parseDuration } from './option-values.js';

export { parseDuration } from './option-values.js';

/** One problem with a table's options; the binder turns it into a diagnostic (EDDY-C00x). */
export type { OptionProblem };

/** Value checks for options whose values are not enumerations, by key. */
const VALUE_CHECKS: Record<string, { what: string; ok(value: string): boolean }> = {
  'source.monitor-interval': { what: "a duration such as '1 s' or '500 ms'", ok: (v) => parseDuration(v) !== undefined },
  'scan.watermark.idle-timeout': { what: "a duration such as '10 s'", ok: (v) => parseDuration(v) !== undefined },
  'replay.speedup': { what: 'a positive number', ok: (v) => Number(v) > 0 },
  'rows-per-second': { what: 'a positive number', ok: (v) => Number(v) > 0 },
  'number-of-rows': { what: 'a non-negative integer', ok: (v) => /^\s*\d+\s*$/.test(v) },
  'errors.max-record-bytes': { what: 'a positive integer (bytes)', ok: (v) => /^\s*\d+\s*$/.test(v) && Number(v) > 0 },
  'lookup.partial-cache.max-rows': { what: 'a positive integer', ok: (v) => /^\s*\d+\s*$/.test(v) && Number(v) > 0 },
  'lookup.partial-cache.expire-after-write': { what: "a duration such as '10 s'", ok: (v) => parseDuration(v) !== undefined },
  'lookup.partial-cache.expire-after-access': { what: "a duration such as '10 s'", ok: (v) => parseDuration(v) !== undefined },
  'sink.buffer-flush.max-rows': { what: 'a non-negative integer', ok: (v) => /^\s*\d+\s*$/.test(v) },
  'sink.buffer-flush.interval': { what: "a duration such as '1 s'", ok: (v) => parseDuration(v) !== undefined },
};

/**
 * Options every connector that can be read from takes (the runtime applies them, not the connector): the
 * error policy for bad records. Flink's `json.ignore-parse-errors` / `csv.ignore-parse-errors` = 'true' are
 * format options meaning `errors.policy` = 'skip'.
 */
export const SOURCE_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'errors.policy',
    description:
      "What a bad record (malformed, wrong type, too large...) does: 'fail' stops the job with its position and text; " +
      "'skip' drops and counts it; 'dead-letter' counts it and writes it to the dead-letter table.",
    defaultValue: 'fail',
    values: ['fail', 'skip', 'dead-letter'],
  },
  { key: 'errors.dead-letter.table', description: "The table bad records go to under 'dead-letter' (source, position, kind, message, raw record)." },
  {
    key: 'errors.max-record-bytes',
    description: 'A record longer than this many bytes is bad (kind too-large) and is not decoded.',
    defaultValue: String(DEFAULT_MAX_RECORD_BYTES),
  },
];

function patternOf(key: string): RegExp | undefined {
  if (!key.includes('#')) return undefined;
  const parts = key.split('#').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('(.+)')}$`);
}

interface KnownOption {
  readonly spec: OptionSpec;
  readonly pattern: RegExp | undefined;
}

function matches(known: KnownOption, key: string): boolean {
  return known.pattern ? known.pattern.test(key) : known.spec.key === key;
}

/** Candidate spellings for did-you-mean: a pattern `fields.#.kind` becomes `fields.<name>.kind` for the key. */
function candidatesFor(key: string, known: readonly KnownOption[]): string[] {
  return known.map(({ spec }) => {
    const [prefix, suffix] = spec.key.split('#') as [string, string | undefined];
    if (suffix === undefined || !key.startsWith(prefix)) return spec.key;
    const rest = key.slice(prefix.length);
    const dot = rest.lastIndexOf('.');
    return prefix + (dot > 0 ? rest.slice(0, dot) : rest) + suffix;
  });
}

function formatKey(format: FormatFactory, spec: OptionSpec, prefix = ''): OptionSpec {
  const own = `${format.identifier}.`;
  return { ...spec, key: prefix + (spec.key.startsWith(own) ? spec.key : own + spec.key) };
}

/**
 * The options that name a table's formats (Flink's), what each is the format of, and the prefixes of that format's
 * options: `format` (`json.x`); `value.format`, whose fallback key `format` is (`value.json.x` or `json.x`);
 * `key.format` (`key.json.x`). A connector takes `value.format` and `key.format` when it declares them.
 */
const FORMAT_OPTIONS: readonly { readonly key: string; readonly prefixes: readonly string[] }[] = [
  { key: 'format', prefixes: [''] },
  { key: 'value.format', prefixes: ['value.', ''] },
  { key: 'key.format', prefixes: ['key.'] },
];

/**
 * Validates `options` (a table's WITH clause) for `factory`: every key must be `connector`, one of the
 * connector's options, one of {@link SOURCE_OPTIONS} (when the connector can be read from), or (when the
 * connector takes a format) an option of a format the table uses, with that format's prefix; required
 * options must be present; enumerated, duration and numeric values must be valid. Pass `factory` undefined
 * (with `connectors`, the known ones) to report an unknown `connector` value. `table` (its physical columns and
 * PRIMARY KEY) is passed on to the connector's own checks. Returns every problem found.
 */
export function validateOptions(
  factory: ConnectorFactory | undefined,
  formats: readonly FormatFactory[],
  options: Readonly<Record<string, string>>,
  connectors: readonly ConnectorFactory[] = [],
  table?: TableShape,
): OptionProblem[] {
  if (!factory) {
    const id = options['connector'];
    const names = connectors.map((c) => c.identifier);
    if (id === undefined) {
      return [{ key: 'connector', kind: 'missing-option', message: `Missing required option 'connector'`, hint: names.length ? `available connectors: ${names.join(', ')}` : undefined }];
    }
    return [{
      key: 'connector',
      kind: 'unknown-connector',
      message: `Unknown connector '${id}'${names.length ? `; available connectors: ${names.join(', ')}` : ''}`,
      hint: didYouMean(id, names),
    }];
  }
  const problems: OptionProblem[] = [];
  const specs: OptionSpec[] = [{ key: 'connector', description: 'The connector.', required: true }, ...factory.options];
  if (factory.createSource) specs.push(...SOURCE_OPTIONS.filter((o) => !factory.options.some((f) => f.key === o.key)));
  const known: KnownOption[] = specs.map((spec) => ({ spec, pattern: patternOf(spec.key) }));
  const declares = (key: string) => known.some((k) => k.spec.key === key);
  if (factory.usesFormat && !declares('format')) {
    known.push({ spec: { key: 'format', description: 'The format.', required: true }, pattern: undefined });
  }
  const formatOptions = factory.usesFormat ? FORMAT_OPTIONS.filter((f) => declares(f.key)) : [];
  for (const { key, prefixes } of formatOptions) {
    const name = options[key];
    if (name === undefined) continue;
    const format = formats.find((f) => f.identifier === name.trim().toLowerCase());
    if (!format) {
      const names = formats.map((f) => f.identifier);
      problems.push({
        key,
        kind: 'unknown-format',
        message: `Unknown format '${name}' for connector '${factory.identifier}'; available formats: ${names.join(', ')}`,
        hint: didYouMean(name, names),
      });
      continue;
    }
    for (const spec of format.options) {
      for (const prefix of prefixes) {
        const option = formatKey(format, spec, prefix);
        if (!declares(option.key)) known.push({ spec: option, pattern: undefined });
      }
    }
  }
  if (declares('value.format')) {
    if (options['format'] !== undefined && options['value.format'] !== undefined) {
      problems.push({
        key: 'value.format',
        kind: 'invalid-value',
        message: "Options 'format' and 'value.format' are the same option ('format' is the fallback key of 'value.format'): give one of them",
      });
    } else if (options['format'] === undefined && options['value.format'] === undefined) {
      problems.push({
        key: 'value.format',
        kind: 'missing-option',
        message: `Missing required option 'value.format' (or 'format') for connector '${factory.identifier}'`,
        hint: "the format of the records' values, e.g. 'value.format' = 'json'",
      });
    }
  }
  for (const [key, value] of Object.entries(options)) {
    const option = known.find((k) => matches(k, key));
    if (!option) {
      problems.push(unknownOption(factory, formats, options, key, known));
      continue;
    }
    const problem = checkValue(key, option.spec, value);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) {
    for (const p of factory.checkOptions?.(options, table) ?? []) problems.push({ key: p.key, kind: 'invalid-value', message: p.message, hint: p.hint });
  }
  for (const { spec, pattern } of known) {
    const excused = spec.requiredUnless !== undefined && options[spec.requiredUnless.key]?.trim().toLowerCase() === spec.requiredUnless.value.toLowerCase();
    if (spec.required && !excused && !pattern && options[spec.key] === undefined) {
      problems.push({
        key: spec.key,
        kind: 'missing-option',
        message: `Missing required option '${spec.key}' for connector '${factory.identifier}'`,
        hint: spec.description,
      });
    }
  }
  return problems;
}

/** The problem with an unknown key: an option of a format the table does not use in that role, or no option at all. */
function unknownOption(
  factory: ConnectorFactory,
  formats: readonly FormatFactory[],
  options: Readonly<Record<string, string>>,
  key: string,
  known: readonly KnownOption[],
): OptionProblem {
  const valueFormat = options['value.format'] ?? options['format'];
  const roles = [
    { prefix: 'key.', what: 'key format', current: options['key.format'] },
    { prefix: 'value.', what: 'value format', current: valueFormat },
    { prefix: '', what: 'format', current: valueFormat },
  ].filter((r) => factory.usesFormat && (r.prefix === '' || known.some((k) => k.spec.key === `${r.prefix}format`)));
  for (const role of roles) {
    const other = formats.find((f) => f.identifier !== role.current?.trim().toLowerCase() && key.startsWith(`${role.prefix}${f.identifier}.`));
    if (other) {
      return { key, kind: 'unknown-option', message: `Option '${key}' belongs to format '${other.identifier}', but the table's ${role.what} is '${role.current ?? '(none)'}'` };
    }
  }
  return {
    key,
    kind: 'unknown-option',
    message: `Unknown option '${key}' for connector '${factory.identifier}'; valid options: ${known.map((k) => k.spec.key).join(', ')}`,
    hint: didYouMean(key, candidatesFor(key, known)),
  };
}

function checkValue(key: string, spec: OptionSpec, value: string): OptionProblem | undefined {
  if (spec.values && !spec.values.some((v) => v.toLowerCase() === value.trim().toLowerCase())) {
    return {
      key,
      kind: 'invalid-value',
      message: `Invalid value '${value}' for option '${key}'; expected one of: ${spec.values.join(', ')}`,
      hint: didYouMean(value.trim(), spec.values),
    };
  }
  const check = VALUE_CHECKS[spec.key];
  if (check && !check.ok(value)) {
    return { key, kind: 'invalid-value', message: `Invalid value '${value}' for option '${key}'; expected ${check.what}` };
  }
  return undefined;
}
