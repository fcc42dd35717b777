/** Checks a table's WITH options against its connector's and format's declared options. */
import type { ConnectorFactory, FormatFactory, OptionSpec } from '../runtime/connector.js';
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

function formatKey(format: FormatFactory, spec: OptionSpec): OptionSpec {
  const prefix = `${format.identifier}.`;
  return spec.key.startsWith(prefix) ? spec : { ...spec, key: prefix + spec.key };
}

/**
 * Validates `options` (a table's WITH clause) for `factory`: every key must be `connector`, one of the
 * connector's options, one of {@link SOURCE_OPTIONS} (when the connector can be read from), or (when the
 * connector takes a format) an option of the chosen format; required
 * options must be present; enumerated, duration and numeric values must be valid. Pass `factory` undefined
 * (with `connectors`, the known ones) to report an unknown `connector` value. Returns every problem found.
 */
export function validateOptions(
  factory: ConnectorFactory | undefined,
  formats: readonly FormatFactory[],
  options: Readonly<Record<string, string>>,
  connectors: readonly ConnectorFactory[] = [],
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
  if (factory.usesFormat && !known.some((k) => k.spec.key === 'format')) {
    known.push({ spec: { key: 'format', description: 'The format.', required: true }, pattern: undefined });
  }
  const formatName = options['format'];
  const format = formatName === undefined ? undefined : formats.find((f) => f.identifier === formatName.toLowerCase());
  if (factory.usesFormat && formatName !== undefined && !format) {
    const names = formats.map((f) => f.identifier);
    problems.push({
      key: 'format',
      kind: 'unknown-format',
      message: `Unknown format '${formatName}' for connector '${factory.identifier}'; available formats: ${names.join(', ')}`,
      hint: didYouMean(formatName, names),
    });
  }
  if (factory.usesFormat && format) {
    for (const spec of format.options) known.push({ spec: formatKey(format, spec), pattern: undefined });
  }
  const validKeys = known.map((k) => k.spec.key);
  for (const [key, value] of Object.entries(options)) {
    const option = known.find((k) => matches(k, key));
    if (!option) {
      const other = factory.usesFormat ? formats.find((f) => f !== format && key.startsWith(`${f.identifier}.`)) : undefined;
      problems.push({
        key,
        kind: 'unknown-option',
        message: other
          ? `Option '${key}' belongs to format '${other.identifier}', but the table's format is '${formatName ?? '(none)'}'`
          : `Unknown option '${key}' for connector '${factory.identifier}'; valid options: ${validKeys.join(', ')}`,
        hint: other ? undefined : didYouMean(key, candidatesFor(key, known)),
      });
      continue;
    }
    const problem = checkValue(key, option.spec, value);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) {
    for (const p of factory.checkOptions?.(options) ?? []) problems.push({ key: p.key, kind: 'invalid-value', message: p.message, hint: p.hint });
  }
  for (const { spec, pattern } of known) {
    if (spec.required && !pattern && options[spec.key] === undefined) {
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
