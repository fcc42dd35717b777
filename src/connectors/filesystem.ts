/** Flink's `filesystem` connector: JSON or CSV files (or a directory of them) as a source and a sink. */
import type { ConnectorFactory, MetadataSpec, OptionSpec } from '../runtime/connector.js';
import { T, withNullable } from '../common/types.js';
import { FileSystemLookupReader } from './filesystem-lookup.js';
import { FileSystemSinkWriter } from './filesystem-sink.js';
import { FileSystemSourceReader } from './filesystem-source.js';

export { FileSystemSourceReader, type FilePosition } from './filesystem-source.js';
export { FileSystemSinkWriter, sinkFilePath } from './filesystem-sink.js';

const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'path',
    description: "A file, or a directory whose files are read in name order (hidden files and those starting with '_' skipped).",
    required: true,
  },
  {
    key: 'format',
    description: "The records' format: 'json', 'csv', 'debezium-json', 'canal-json' (changes) or 'raw' (a UTF-8 STRING column); not 'avro' (bytes).",
    required: true,
  },
  {
    key: 'source.monitor-interval',
    description: "When set (e.g. '1 s'), the source never ends: it polls for appended lines and new files at this interval.",
  },
  {
    key: 'source.restore.on-change',
    description:
      "What a restored job does with a file that changed since its checkpoint (shorter than the offset read, or other bytes before it): 'fail' (stop with an error) or 'restart' (read that file again from its start).",
    defaultValue: 'fail',
    values: ['fail', 'restart'],
  },
  { key: 'replay.speedup', description: 'Replay records paced by event time, this many times faster than real time (Eddy).' },
  { key: 'scan.watermark.idle-timeout', description: 'A file with no new records for this long stops holding back the watermark.' },
];

/** The metadata of each row's file (Flink's filesystem connector's keys), read-only. */
const METADATA: readonly MetadataSpec[] = [
  { key: 'file.path', type: withNullable(T.string(), false), writable: false, description: "The absolute path of the file the row was read from." },
  { key: 'file.name', type: withNullable(T.string(), false), writable: false, description: "The name of the file the row was read from (the path's last part)." },
  { key: 'file.size', type: withNullable(T.bigint(), false), writable: false, description: 'The size of the file in bytes (when the row was read: a monitored file may grow).' },
  {
    key: 'file.modification-time',
    type: withNullable(T.timestampLtz(3), false),
    writable: false,
    description: 'When the file was last modified (when the row was read).',
  },
];

/** The `filesystem` connector factory. */
export const filesystemConnector: ConnectorFactory = {
  identifier: 'filesystem',
  description: 'Reads and writes files of JSON or CSV records, one per line.',
  options: OPTIONS,
  usesFormat: true,
  // Parallel instances each read every file's bytes and decode their own blocks of lines (see SPLIT_BLOCK_LINES).
  splittable: true,
  metadata: METADATA,
  sinkChangelogMode: 'append',
  createSource: (ctx) => new FileSystemSourceReader(ctx),
  createSink: (ctx) => new FileSystemSinkWriter(ctx),
  // A bounded side input of a lookup join, read once when the join opens (see filesystem-lookup.ts).
  createLookup: (ctx) => new FileSystemLookupReader(ctx),
  checkOptions: (options) =>
    options['format']?.trim().toLowerCase() === 'avro'
      ? [{ key: 'format', message: "The filesystem connector reads and writes lines of text, and 'avro' records are bytes", hint: "use Kafka for Avro records, or 'json' or 'csv' for files" }]
      : [],
};
