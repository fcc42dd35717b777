/** The built-in connectors and formats, and lookup by name. */
import type { ConnectorFactory, FormatFactory } from '../runtime/connector.js';
import { blackholeConnector } from './blackhole.js';
import { datagenConnector } from './datagen.js';
import { filesystemConnector } from './filesystem.js';
import { kafkaConnector } from './kafka/kafka.js';
import { nexmarkConnector } from './nexmark/source.js';
import { upsertKafkaConnector } from './kafka/upsert-kafka.js';
import { FORMATS } from './formats/index.js';
import { printConnector } from './print.js';
import { sqliteConnector } from './sqlite.js';

export { validateOptions, parseDuration, SOURCE_OPTIONS, type OptionProblem } from './validate-options.js';
export { createDecoder, createEncoder, RecordError, type RecordDecoder, type RecordEncoder } from './formats/index.js';
export { FileSystemSourceReader, type FilePosition } from './filesystem.js';
export { SqliteSinkWriter, SqliteSourceReader, SINK_COMMITS_TABLE, type SqliteSinkCommit, type SqlitePosition } from './sqlite.js';

const CONNECTORS: readonly ConnectorFactory[] = [filesystemConnector, datagenConnector, printConnector, blackholeConnector, sqliteConnector, kafkaConnector, upsertKafkaConnector, nexmarkConnector];

/** Every built-in connector (a new array each call; callers may add their own). */
export function builtinConnectors(): ConnectorFactory[] {
  return [...CONNECTORS];
}

/** Every built-in format. */
export function builtinFormats(): FormatFactory[] {
  return [...FORMATS];
}

/** The built-in connector with this identifier (case-insensitive), or undefined. */
export function findConnector(id: string): ConnectorFactory | undefined {
  const lower = id.toLowerCase();
  return CONNECTORS.find((c) => c.identifier === lower);
}
