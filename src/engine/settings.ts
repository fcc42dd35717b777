/**
 * Session settings (`SET 'key' = 'value'`), with Flink's keys and defaults where Flink has them. Unknown
 * keys are kept (Flink accepts any), but keys that look like a typo of a known one are rejected.
 */
import { EddyError, ErrorCode, closestMatch, type Span } from '../common/errors.js';
import { parseDuration } from '../connectors/option-values.js';
import { DEFAULT_MAX_STRING_LENGTH } from '../functions/string-limit.js';
import { KAFKA_SERVERS_SETTING, serverListProblem } from './kafka-cluster.js';

/** A known setting: its default and, for enumerations, allowed values. */
interface SettingSpec {
  readonly defaultValue: string;
  readonly description: string;
  readonly values?: readonly string[];
  /** Checks a value when it is set: a hint saying what is expected, or undefined when it is valid. */
  readonly check?: (value: string) => string | undefined;
}

export const KNOWN_SETTINGS: Readonly<Record<string, SettingSpec>> = {
  'table.local-time-zone': { defaultValue: 'UTC', description: 'Session time zone for TIMESTAMP_LTZ values and time functions.' },
  'table.dml-sync': { defaultValue: 'false', description: 'Whether INSERT statements wait for their job to finish.', values: ['true', 'false'] },
  'sql-client.execution.max-table-result.rows': { defaultValue: '10000', description: 'Most rows (or changes) a table or changelog result view keeps; beyond that the oldest are dropped.' },
  'sql-client.execution.result-mode': { defaultValue: 'tableau', description: 'How results are shown: table, changelog or tableau.', values: ['table', 'changelog', 'tableau'] },
  'pipeline.name': { defaultValue: '', description: 'A name for the next job.' },
  'parallelism.default': {
    defaultValue: '1',
    description:
      'How many parallel instances run each INSERT job and query, each in a thread of its own, split at the plan\'s exchanges (hash by key); see docs/parallelism.md. Jobs with checkpoints and materialized views need 1.',
    check: (v) => (/^\s*[1-9]\d*\s*$/.test(v) && Number(v) <= 64 ? undefined : 'a whole number of instances from 1 to 64'),
  },
  'execution.checkpointing.interval': {
    defaultValue: '5 s',
    description: "Time between the starts of two checkpoints of an INSERT job with a state directory (e.g. '1 s').",
  },
  'execution.checkpointing.min-pause': {
    defaultValue: '0 ms',
    description: 'Least time between the end of one checkpoint and the start of the next (a checkpoint that took longer than the interval is followed at once by default).',
  },
  'execution.checkpointing.mode': {
    defaultValue: 'EXACTLY_ONCE',
    description: 'EXACTLY_ONCE: sinks that support it commit with checkpoints. AT_LEAST_ONCE: accepted; Eddy still commits with checkpoints.',
    values: ['exactly_once', 'at_least_once'],
  },
  'table.exec.state.ttl': {
    defaultValue: '',
    description: "Idle state retention of non-windowed aggregations (e.g. '1 h'): a group not updated for this long is forgotten. Empty: never.",
  },
  'state.cache.max-entries': {
    defaultValue: '1000000',
    description: 'With a state directory: most entries one state table keeps in memory; the rest are read from SQLite when needed.',
  },
  'execution.checkpointing.retain-on-finish': {
    defaultValue: 'true',
    description:
      "Keep an INSERT job's state file after the job finished (its output committed), so that running the same script again resumes at its end. 'false': the file is removed when the job finishes (eddy serve's clients' statements). A failed, cancelled or stopped job's state is always kept.",
    values: ['true', 'false'],
  },
  'state.savepoints.dir': { defaultValue: '', description: "Where STOP JOB ... WITH SAVEPOINT writes savepoints (default: <state-dir>/savepoints, or ./savepoints)." },
  'execution.savepoint.path': { defaultValue: '', description: 'A savepoint directory the next INSERT jobs resume from.' },
  'state.sqlite.synchronous': {
    defaultValue: 'NORMAL',
    description: 'NORMAL: checkpoints survive a crash of the process. FULL: they also survive power loss (slower).',
    values: ['normal', 'full'],
  },
  'table.exec.mv.first-commit-wait': {
    defaultValue: '10 s',
    description: "How long a pull query waits for a materialized view's first commit (a view just created); past it, the answer comes with a warning. '0 s': do not wait.",
  },
  'table.exec.query.max-rows': {
    defaultValue: '1000000',
    description: 'Most rows (changes) a bounded SELECT or a pull query may produce; past it the query fails (EDDY-R008). 0: no limit. Unbounded (streaming) queries are not limited.',
    check: (v) => (/^\d+$/.test(v.trim()) ? undefined : 'a whole number of rows (0: no limit)'),
  },
  'table.exec.query.timeout': {
    defaultValue: '0 ms',
    description: "Longest time a bounded SELECT or a pull query may run (e.g. '30 s'); past it the query is cancelled (EDDY-R009). 0: no limit. Unbounded (streaming) queries are not limited.",
    check: (v) => (parseDuration(v) !== undefined ? undefined : "a duration such as '30 s', '500 ms' or '5 min' (0: no limit)"),
  },
  'table.exec.max-string-length': {
    defaultValue: String(DEFAULT_MAX_STRING_LENGTH),
    description: 'Longest string (in UTF-16 code units) a function such as REPEAT, LPAD, CONCAT or REPLACE may produce; a longer result fails its row (EDDY-R003).',
    check: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'a whole number of characters, at least 1'),
  },
  'table.dynamic-table-options.enabled': {
    defaultValue: 'true',
    description: "Whether /*+ OPTIONS('key' = 'value') */ hints may override a table's WITH options in a statement (as in Flink).",
    values: ['true', 'false'],
  },
  [KAFKA_SERVERS_SETTING]: {
    defaultValue: '',
    description:
      "The Kafka cluster SHOW TOPICS and PRINT talk to, a comma-separated 'host:port' list. Empty: the cluster the session's kafka tables name (PRINT: the tables declaring the topic), when they name one.",
    check: (v) => (v.trim() === '' ? undefined : serverListProblem(v)),
  },
  // ksqlDB's properties (docs/ksql.md).
  'auto.offset.reset': {
    defaultValue: 'latest',
    description: "ksqlDB's: where a query over ksqlDB streams and tables starts reading their topics when it starts — 'earliest' (from the beginning) or 'latest' (new records only).",
    values: ['earliest', 'latest'],
  },
};

/**
 * ksqlDB's other names for settings: `SET 'bootstrap.servers'` sets `kafka.bootstrap-servers`, and the
 * `ksql.streams.` prefix ksqlDB accepts before a Kafka Streams property names the same setting.
 */
export const SETTING_ALIASES: Readonly<Record<string, string>> = {
  'bootstrap.servers': KAFKA_SERVERS_SETTING,
  'ksql.streams.bootstrap.servers': KAFKA_SERVERS_SETTING,
  'ksql.streams.auto.offset.reset': 'auto.offset.reset',
};

/** The setting a key names: itself, or the one it is an alias of. */
export function settingKey(key: string): string {
  return SETTING_ALIASES[key] ?? key;
}

/** ksqlDB's own properties (`ksql.*`, `ksql.streams.*`): any such key is accepted and kept, as ksqlDB's server configuration is. */
export function isKsqlProperty(key: string): boolean {
  return key.startsWith('ksql.');
}

export class Settings {
  private readonly values = new Map<string, string>();

  get(name: string): string {
    const key = settingKey(name);
    return this.values.get(key) ?? KNOWN_SETTINGS[key]?.defaultValue ?? '';
  }

  /** Whether the session set `name` (rather than leaving its default). */
  isSet(name: string): boolean {
    return this.values.has(settingKey(name));
  }

  set(name: string, value: string, span?: Span): void {
    const key = settingKey(name);
    const spec = KNOWN_SETTINGS[key];
    if (!spec && !isKsqlProperty(key)) {
      const near = closestMatch(key, Object.keys(KNOWN_SETTINGS));
      if (near && near !== key) {
        throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Unknown setting '${key}'`, span, hint: `did you mean \`${near}\`?` });
      }
    } else if (spec?.values && !spec.values.includes(value.toLowerCase())) {
      throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid value '${value}' for '${key}'`, span, hint: `one of: ${spec.values.join(', ')}` });
    }
    if (key === 'table.local-time-zone') checkTimeZone(value, span);
    const problem = spec?.check?.(value);
    if (problem !== undefined) throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid value '${value}' for '${key}'`, span, hint: problem });
    this.values.set(key, spec?.values ? value.toLowerCase() : value);
  }

  reset(name?: string): void {
    if (name === undefined) this.values.clear();
    else this.values.delete(settingKey(name));
  }

  /** Every setting with its current value (known ones with defaults included), sorted by key. */
  entries(): [string, string][] {
    const keys = new Set([...Object.keys(KNOWN_SETTINGS), ...this.values.keys()]);
    return [...keys].sort().map((k) => [k, this.get(k)]);
  }
}

function checkTimeZone(zone: string, span?: Span): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Unknown time zone '${zone}'`, span, hint: "use an IANA name such as 'UTC', 'Europe/Berlin' or 'America/New_York'" });
  }
}
