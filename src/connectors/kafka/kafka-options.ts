/** The `kafka` connector's options (Flink's names) and reading their values. */
import type { OptionSpec } from '../../runtime/connector.js';
import { parseDuration } from '../../common/duration.js';

type Options = Readonly<Record<string, string>>;

export const STARTUP_MODES = ['earliest-offset', 'latest-offset', 'group-offsets', 'timestamp', 'specific-offsets'] as const;
export const BOUNDED_MODES = ['unbounded', 'latest-offset', 'timestamp', 'specific-offsets'] as const;
export type StartupMode = (typeof STARTUP_MODES)[number];
export type BoundedMode = (typeof BOUNDED_MODES)[number];

export const KAFKA_OPTIONS: readonly OptionSpec[] = [
  { key: 'topic', description: "The topic: a source reads one or several separated by ';', a sink writes one. A source takes 'topic' or 'topic-pattern'." },
  { key: 'topic-pattern', description: "A source reads every topic whose whole name matches this regular expression (instead of 'topic')." },
  {
    key: 'scan.topic-partition-discovery.interval',
    description: "How often an unbounded source looks for new partitions of its topics and new topics matching 'topic-pattern' (read from their earliest offset); '0' disables.",
    defaultValue: '5 min',
  },
  {
    key: 'properties.bootstrap.servers',
    description: "The brokers to connect to: 'host:port', several separated by ',' (none with 'client.library' = 'embedded').",
    required: true,
    requiredUnless: { key: 'client.library', value: 'embedded' },
  },
  { key: 'properties.group.id', description: "The consumer group: its committed offsets are where 'group-offsets' starts." },
  {
    key: 'properties.auto.offset.reset',
    description: "With 'group-offsets': where a partition without a committed offset starts ('none' fails the job).",
    defaultValue: 'none',
    values: ['earliest', 'latest', 'none'],
  },
  {
    key: 'properties.isolation.level',
    description: "'read_committed' reads only committed transactions' records; 'read_uncommitted' reads all.",
    defaultValue: 'read_uncommitted',
    values: ['read_committed', 'read_uncommitted'],
  },
  { key: 'format', description: "The format of the records' values, e.g. 'json' or 'csv' ('value.format' is the same option: give one of them)." },
  { key: 'scan.startup.mode', description: 'Where each partition is read from when the job starts without a checkpoint.', defaultValue: 'group-offsets', values: STARTUP_MODES },
  { key: 'scan.startup.timestamp-millis', description: "With 'timestamp': the first record read in each partition is the first at or after this time (epoch ms)." },
  { key: 'scan.startup.specific-offsets', description: "With 'specific-offsets': 'partition:0,offset:42;partition:1,offset:300' (other partitions start at their earliest offset)." },
  { key: 'scan.bounded.mode', description: "Where the source ends: 'unbounded' (never), 'latest-offset' (each partition's end when the job starts), 'timestamp' or 'specific-offsets'.", defaultValue: 'unbounded', values: BOUNDED_MODES },
  { key: 'scan.bounded.timestamp-millis', description: "With bounded 'timestamp': each partition ends before its first record at or after this time (epoch ms)." },
  {
    key: 'scan.watermark.idle-timeout',
    description: "A partition without records for this long stops holding back the watermark (the minimum over the other partitions) until it gets records again; '0' or absent: never.",
  },
  { key: 'scan.bounded.specific-offsets', description: "With bounded 'specific-offsets': 'partition:0,offset:42;...' (exclusive ends; other partitions end at their end when the job starts)." },
];

/** The regular expression of `topic-pattern`, matching whole topic names (undefined without one, or when invalid). */
export function topicPattern(options: Options): RegExp | undefined {
  const text = options['topic-pattern'];
  if (text === undefined) return undefined;
  try {
    return new RegExp(`^(?:${text})$`);
  } catch {
    return undefined;
  }
}

/** Flink's default `scan.topic-partition-discovery.interval`: 5 minutes. */
const DEFAULT_DISCOVERY_MS = 5 * 60_000;

/**
 * How often the source looks for new partitions and topics, in ms; undefined when it does not: '0', or a bounded
 * read (as Flink's KafkaSource, whose bounded reads do not discover).
 */
export function discoveryIntervalMs(options: Options): number | undefined {
  if (boundedMode(options) !== 'unbounded') return undefined;
  const text = options['scan.topic-partition-discovery.interval'];
  const ms = text === undefined ? DEFAULT_DISCOVERY_MS : parseDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** The topics of `topic` (a `;` list). */
export function topicsOf(options: Options): string[] {
  return (options['topic'] ?? '').split(';').map((t) => t.trim()).filter((t) => t !== '');
}

export function bootstrapServers(options: Options): string[] {
  return (options['properties.bootstrap.servers'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function startupMode(options: Options): StartupMode {
  return (options['scan.startup.mode']?.trim().toLowerCase() ?? 'group-offsets') as StartupMode;
}

export function boundedMode(options: Options): BoundedMode {
  return (options['scan.bounded.mode']?.trim().toLowerCase() ?? 'unbounded') as BoundedMode;
}

/** Parses Flink's `partition:0,offset:42;partition:1,offset:300`; undefined when malformed. */
export function specificOffsets(text: string): Map<number, bigint> | undefined {
  const result = new Map<number, bigint>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const m = /^\s*partition\s*:\s*(\d+)\s*,\s*offset\s*:\s*(\d+)\s*$/i.exec(part);
    if (!m || result.has(Number(m[1]))) return undefined;
    result.set(Number(m[1]), BigInt(m[2]!));
  }
  return result.size > 0 ? result : undefined;
}

/** {@link specificOffsets} of a value validated before. */
export function parseSpecificOffsets(text: string): Map<number, bigint> {
  return specificOffsets(text) ?? new Map();
}

const isMillis = (v: string | undefined): boolean => v !== undefined && /^\s*\d+\s*$/.test(v);

/** Problems with combinations of options (each option alone was valid). */
export function kafkaOptionProblems(options: Options): { key: string; message: string; hint?: string }[] {
  const problems: { key: string; message: string; hint?: string }[] = [];
  if (options['topic'] !== undefined && topicsOf(options).length === 0) problems.push({ key: 'topic', message: "Option 'topic' names no topic" });
  if (options['topic'] !== undefined && options['topic-pattern'] !== undefined) {
    problems.push({ key: 'topic-pattern', message: "Options 'topic' and 'topic-pattern' exclude each other, as in Flink", hint: 'keep one of them' });
  } else if (options['topic'] === undefined && options['topic-pattern'] === undefined) {
    problems.push({ key: 'topic', message: "The kafka connector needs 'topic' (or, to read, 'topic-pattern')", hint: "e.g. 'topic' = 'rides'" });
  }
  if (options['topic-pattern'] !== undefined && topicPattern(options) === undefined) {
    problems.push({ key: 'topic-pattern', message: `Option 'topic-pattern' is not a valid regular expression: '${options['topic-pattern']}'` });
  }
  const discovery = options['scan.topic-partition-discovery.interval'];
  if (discovery !== undefined && parseDuration(discovery) === undefined) {
    problems.push({ key: 'scan.topic-partition-discovery.interval', message: `Option 'scan.topic-partition-discovery.interval' must be a duration such as '5 min' or '0' (disabled), not '${discovery}'` });
  }
  for (const phase of ['startup', 'bounded'] as const) {
    const modeKey = `scan.${phase}.mode`;
    const mode = phase === 'startup' ? startupMode(options) : boundedMode(options);
    const tsKey = `scan.${phase}.timestamp-millis`;
    const offKey = `scan.${phase}.specific-offsets`;
    if (mode === 'timestamp' && !isMillis(options[tsKey])) {
      problems.push({ key: tsKey, message: `'${modeKey}' = 'timestamp' needs '${tsKey}' (milliseconds since the epoch)${options[tsKey] !== undefined ? `, not '${options[tsKey]}'` : ''}` });
    }
    if (mode !== 'timestamp' && options[tsKey] !== undefined) {
      problems.push({ key: tsKey, message: `Option '${tsKey}' applies only with '${modeKey}' = 'timestamp'` });
    }
    if (mode === 'specific-offsets') {
      const text = options[offKey];
      if (text === undefined || !specificOffsets(text)) {
        problems.push({
          key: offKey,
          message: `'${modeKey}' = 'specific-offsets' needs '${offKey}' as 'partition:0,offset:42;partition:1,offset:300'${text !== undefined ? `, not '${text}'` : ''}`,
        });
      } else if (topicsOf(options).length > 1 || options['topic-pattern'] !== undefined) {
        problems.push({ key: offKey, message: `Option '${offKey}' needs a single topic; ${options['topic-pattern'] !== undefined ? "'topic-pattern' may match several" : `'topic' names ${topicsOf(options).length}`}` });
      }
    }
    if (mode !== 'specific-offsets' && options[offKey] !== undefined) {
      problems.push({ key: offKey, message: `Option '${offKey}' applies only with '${modeKey}' = 'specific-offsets'` });
    }
  }
  // Only an explicit mode is checked here: a table written by a sink needs no group (a source without one fails at start).
  if (options['scan.startup.mode'] !== undefined && startupMode(options) === 'group-offsets' && options['properties.group.id'] === undefined) {
    problems.push({
      key: 'properties.group.id',
      message: "'scan.startup.mode' = 'group-offsets' needs 'properties.group.id'",
      hint: "set 'properties.group.id', or 'scan.startup.mode' = 'earliest-offset'",
    });
  }
  return problems;
}
