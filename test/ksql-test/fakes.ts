// Small fakes for the runner's tests: topics in memory, and an engine whose statements are scripted by the test
// (each statement text maps to what it does), with "persistent queries" that run when the engine settles.

import { T } from '../../src/common/types.js';
import type { EngineError, KsqlTestEngine, StatementOutcome } from '../../src/ksql-test/engine.js';
import type { TopicFormat } from '../../src/ksql-test/record-codec.js';
import type { OutgoingRecord, StoredRecord, TopicIO } from '../../src/ksql-test/topic-io.js';

export class MemoryTopics implements TopicIO {
  readonly topics = new Map<string, StoredRecord[]>();
  readonly created: string[] = [];

  async createTopic(topic: string): Promise<void> {
    if (this.topics.has(topic)) return;
    this.created.push(topic);
    this.topics.set(topic, []);
  }

  async produce(records: readonly OutgoingRecord[]): Promise<void> {
    for (const r of records) this.append(r.topic, r.key, r.value, r.timestamp);
  }

  append(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number): void {
    // A persistent query's sink topic exists once it writes (as CREATE STREAM AS SELECT creates it).
    let list = this.topics.get(topic);
    if (!list) this.topics.set(topic, (list = []));
    list.push({ partition: 0, offset: BigInt(list.length), key, value, timestamp });
  }

  async readAll(topic: string): Promise<StoredRecord[]> {
    return [...(this.topics.get(topic) ?? [])];
  }

  async close(): Promise<void> {}
}

/** A stream with a STRING key (KAFKA) and a JSON value with one INT column V. */
export function jsonStream(topic: string, source = topic.toUpperCase()): TopicFormat {
  return { topic, source: `STREAM ${source}`, keyFormat: 'KAFKA', valueFormat: 'JSON', keyColumns: [{ name: 'K', type: T.string() }], valueColumns: [{ name: 'V', type: T.int() }] };
}

/** What a scripted statement does: answer, register a topic's format, start a "query", or throw. */
export interface Scripted {
  readonly outcome?: StatementOutcome;
  readonly format?: TopicFormat;
  /** Runs at each settle: reads the topics, appends output. */
  readonly query?: (topics: MemoryTopics) => void;
  readonly error?: EngineError;
}

export class FakeEngine implements KsqlTestEngine {
  readonly topics = new MemoryTopics();
  readonly properties: [string, string][] = [];
  readonly executed: string[] = [];
  /** Topic sizes seen at each settle (to check inputs are produced one at a time). */
  readonly settles: number[] = [];
  closed = false;
  failures: string[] = [];
  private readonly formats = new Map<string, TopicFormat>();
  private readonly queries: ((topics: MemoryTopics) => void)[] = [];

  constructor(
    private readonly script: Readonly<Record<string, Scripted>>,
    private readonly refusedProperties: readonly string[] = [],
  ) {}

  async setProperty(key: string, value: string): Promise<void> {
    if (this.refusedProperties.includes(key)) throw { message: `Unknown setting '${key}'`, unsupported: false };
    this.properties.push([key, value]);
  }

  async execute(sql: string): Promise<StatementOutcome> {
    this.executed.push(sql);
    const s = this.script[sql];
    if (!s) throw { message: `unexpected statement ${sql}`, unsupported: false };
    if (s.error) throw s.error;
    if (s.format) this.formats.set(s.format.topic, s.format);
    if (s.query) this.queries.push(s.query);
    return s.outcome ?? { kind: 'admin', type: 'currentStatus' };
  }

  topicFormat(topic: string): TopicFormat | undefined {
    return this.formats.get(topic);
  }

  async settle(): Promise<void> {
    for (const q of this.queries) q(this.topics);
    this.settles.push([...this.topics.topics.values()].reduce((n, l) => n + l.length, 0));
  }

  jobFailures(): readonly string[] {
    return this.failures;
  }

  describeError(err: unknown): EngineError {
    return err as EngineError;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
