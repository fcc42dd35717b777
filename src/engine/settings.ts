/**
 * Session settings (`SET 'key' = 'value'`), with Flink's keys and defaults where Flink has them. Unknown
 * keys are kept (Flink accepts any), but keys that look like a typo of a known one are rejected.
 */
import { EddyError, ErrorCode, closestMatch, type Span } from '../common/errors.js';

/** A known setting: its default and, for enumerations, allowed values. */
interface SettingSpec {
  readonly defaultValue: string;
  readonly description: string;
  readonly values?: readonly string[];
}

export const KNOWN_SETTINGS: Readonly<Record<string, SettingSpec>> = {
  'table.local-time-zone': { defaultValue: 'UTC', description: 'Session time zone for TIMESTAMP_LTZ values and time functions.' },
  'table.dml-sync': { defaultValue: 'false', description: 'Whether INSERT statements wait for their job to finish.', values: ['true', 'false'] },
  'sql-client.execution.max-table-result.rows': { defaultValue: '10000', description: 'Most rows (or changes) a table or changelog result view keeps; beyond that the oldest are dropped.' },
  'sql-client.execution.result-mode': { defaultValue: 'tableau', description: 'How results are shown: table, changelog or tableau.', values: ['table', 'changelog', 'tableau'] },
  'pipeline.name': { defaultValue: '', description: 'A name for the next job.' },
  'parallelism.default': { defaultValue: '1', description: 'Accepted for compatibility; Eddy runs each job on one thread.' },
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
  'state.savepoints.dir': { defaultValue: '', description: "Where STOP JOB ... WITH SAVEPOINT writes savepoints (default: <state-dir>/savepoints, or ./savepoints)." },
  'execution.savepoint.path': { defaultValue: '', description: 'A savepoint directory the next INSERT jobs resume from.' },
  'state.sqlite.synchronous': {
    defaultValue: 'NORMAL',
    description: 'NORMAL: checkpoints survive a crash of the process. FULL: they also survive power loss (slower).',
    values: ['normal', 'full'],
  },
};

export class Settings {
  private readonly values = new Map<string, string>();

  get(key: string): string {
    return this.values.get(key) ?? KNOWN_SETTINGS[key]?.defaultValue ?? '';
  }

  set(key: string, value: string, span?: Span): void {
    const spec = KNOWN_SETTINGS[key];
    if (!spec) {
      const near = closestMatch(key, Object.keys(KNOWN_SETTINGS));
      if (near && near !== key) {
        throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Unknown setting '${key}'`, span, hint: `did you mean \`${near}\`?` });
      }
    } else if (spec.values && !spec.values.includes(value.toLowerCase())) {
      throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Invalid value '${value}' for '${key}'`, span, hint: `one of: ${spec.values.join(', ')}` });
    }
    if (key === 'table.local-time-zone') checkTimeZone(value, span);
    this.values.set(key, spec?.values ? value.toLowerCase() : value);
  }

  reset(key?: string): void {
    if (key === undefined) this.values.clear();
    else this.values.delete(key);
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
