/**
 * `upsert-kafka`'s sink buffer (Flink's `sink.buffer-flush.*`): changes are held per key, only the last one kept,
 * and sent when `sink.buffer-flush.max-rows` keys are held, when `sink.buffer-flush.interval` has passed since
 * the last send, and at each checkpoint. A key updated many times between two sends becomes one record.
 */
import type { OptionSpec } from '../../runtime/connector.js';
import { parseDuration } from '../option-values.js';
import type { KafkaOutgoingRecord } from './client.js';

type Options = Readonly<Record<string, string>>;

const MAX_ROWS = 'sink.buffer-flush.max-rows';
const INTERVAL = 'sink.buffer-flush.interval';

export const BUFFER_FLUSH_OPTIONS: readonly OptionSpec[] = [
  { key: MAX_ROWS, description: `The most keys the sink buffers (their last change each) before it sends them; '0' buffers nothing. Needs '${INTERVAL}'.`, defaultValue: '0' },
  { key: INTERVAL, description: `How long the sink buffers changes at most (a duration); '0' buffers nothing. Needs '${MAX_ROWS}'.`, defaultValue: '0' },
];

/** When the buffer is sent. */
export interface BufferFlush {
  readonly maxRows: number;
  readonly intervalMs: number;
}

/** An option's value: rows, or milliseconds for the interval; 0 when absent. */
function given(options: Options, key: string): number {
  const text = options[key];
  if (text === undefined) return 0;
  return key === INTERVAL ? (parseDuration(text) ?? 0) : Number(text);
}

/** Problems with the buffer options: both must be above zero, or neither (as in Flink). */
export function bufferFlushProblems(options: Options): { key: string; message: string; hint?: string }[] {
  const rows = given(options, MAX_ROWS) > 0;
  if (rows === given(options, INTERVAL) > 0) return [];
  return [{
    key: rows ? MAX_ROWS : INTERVAL,
    message: `'${MAX_ROWS}' and '${INTERVAL}' buffer together: set both above zero, or neither`,
    hint: `add '${rows ? INTERVAL : MAX_ROWS}'`,
  }];
}

/** The buffer the (validated) options ask for; undefined: none. */
export function bufferFlushOf(options: Options): BufferFlush | undefined {
  const maxRows = given(options, MAX_ROWS);
  const intervalMs = given(options, INTERVAL);
  return maxRows > 0 && intervalMs > 0 ? { maxRows, intervalMs } : undefined;
}

/** The last change of each key, in the order of their last changes. */
export class UpsertBuffer {
  private byKey = new Map<string, KafkaOutgoingRecord>();

  constructor(readonly flush: BufferFlush) {}

  /** Keeps `record` as `key`'s last change; true when the buffer is full (to be sent). */
  put(key: string, record: KafkaOutgoingRecord): boolean {
    this.byKey.delete(key);
    this.byKey.set(key, record);
    return this.byKey.size >= this.flush.maxRows;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The records held, emptied. */
  drain(): KafkaOutgoingRecord[] {
    const records = [...this.byKey.values()];
    this.byKey = new Map();
    return records;
  }
}
