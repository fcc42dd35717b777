/**
 * The `kafka` connector's metadata (Flink's keys, for METADATA columns): what the source appends to each row
 * after the physical columns (in `ConnectorContext.metadataKeys` order), and what the sink takes from a row's
 * values after them (`timestamp` and `headers`, the writable keys).
 */
import { T, withNullable } from '../../common/types.js';
import { canonicalInt } from '../../common/int64.js';
import type { MetadataSpec } from '../../runtime/connector.js';
import type { Row } from '../../runtime/changelog.js';
import type { KafkaHeader, KafkaOutgoingRecord, KafkaRecord } from './client.js';

const notNull = (t: ReturnType<typeof T.int>) => withNullable(t, false);

export const KAFKA_METADATA: readonly MetadataSpec[] = [
  { key: 'topic', type: notNull(T.string()), writable: false, description: 'The topic of the record (read-only: a sink writes its table\'s \'topic\').' },
  { key: 'partition', type: notNull(T.int()), writable: false, description: 'The partition of the record.' },
  {
    key: 'headers',
    type: notNull(T.map(T.string(), T.bytes())),
    writable: true,
    description: 'The headers of the record, by key (the last one of a key given twice); a sink writes them (a NULL value as empty bytes).',
  },
  { key: 'leader-epoch', type: T.int(), writable: false, description: 'The leader epoch of the record\'s batch, NULL when the broker gives none.' },
  { key: 'offset', type: notNull(T.bigint()), writable: false, description: 'The offset of the record in its partition.' },
  {
    key: 'timestamp',
    type: notNull(T.timestampLtz(3)),
    writable: true,
    description: "The record's timestamp; a sink writes it as the record's timestamp (NULL: the producer's clock).",
  },
  { key: 'timestamp-type', type: notNull(T.string()), writable: false, description: "'CreateTime', 'LogAppendTime' or 'NoTimestampType'." },
];

/** The value of metadata `key` of a record read. */
function metadataValue(record: KafkaRecord, key: string): unknown {
  switch (key) {
    case 'topic':
      return record.topic;
    case 'partition':
      return record.partition;
    case 'headers': {
      const map = new Map<string, Uint8Array | null>();
      for (const h of record.headers) map.set(h.key, h.value);
      return map;
    }
    case 'leader-epoch':
      // Kafka's "no epoch" is -1 (RecordBatch.NO_PARTITION_LEADER_EPOCH), which Flink reads as NULL too.
      return record.leaderEpoch === undefined || record.leaderEpoch < 0 ? null : record.leaderEpoch;
    case 'offset':
      return canonicalInt(record.offset);
    case 'timestamp':
      return record.timestamp;
    case 'timestamp-type':
      return record.timestampType ?? 'NoTimestampType';
    default:
      throw new Error(`kafka source: no metadata key '${key}'`);
  }
}

/** Appends the values of `keys` of `record` to `row` (the source's METADATA columns). */
export function appendMetadata(row: Row, record: KafkaRecord, keys: readonly string[]): void {
  for (const key of keys) row.push(metadataValue(record, key));
}

/**
 * What a sink row's METADATA values (after its `width` physical columns, in `keys` order) set on the record:
 * its timestamp and headers.
 */
export function outgoingMetadata(row: Row, width: number, keys: readonly string[]): Pick<KafkaOutgoingRecord, 'timestamp' | 'headers'> {
  const out: { timestamp?: number; headers?: KafkaHeader[] } = {};
  keys.forEach((key, i) => {
    const value = row[width + i];
    if (value === null || value === undefined) return;
    if (key === 'timestamp') out.timestamp = value as number;
    else if (key === 'headers') {
      out.headers = [...(value as Map<string, Uint8Array | null>)].map(([k, v]) => ({ key: k, value: v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.byteLength) }));
    } else throw new Error(`kafka sink: metadata key '${key}' is not writable`);
  });
  return out;
}
