/**
 * What `eddy test` needs of the engine under test, narrowed to one interface so that the runner can be tested
 * with small fakes and run against Eddy through {@link EddyTestEngine} (./eddy-engine.ts).
 */
import type { TopicFormat } from './record-codec.js';
import type { TopicIO } from './topic-io.js';

/** What one statement answered. */
export type StatementOutcome =
  /** A statement that is not a query; `type` is the `@type` ksqlDB's REST API answers with (`currentStatus`, `streams`, ...). */
  | { readonly kind: 'admin'; readonly type: string }
  /**
   * A query's answer: its schema as ksqlDB writes it (`` `ID` STRING KEY, `C` BIGINT ``), its rows as JSON values, and
   * `finalMessage` (`Limit Reached`) when a push query ended at its LIMIT.
   */
  | { readonly kind: 'query'; readonly schema: string; readonly rows: readonly (readonly unknown[])[]; readonly finalMessage?: string };

/** An error of a statement, or of a job, as the runner reports it. */
export interface EngineError {
  readonly message: string;
  /** True when the engine refused the statement as not supported (the test is then unsupported, not failed). */
  readonly unsupported: boolean;
}

/** One fresh engine, for one test case. */
export interface KsqlTestEngine {
  /** Where the test's topics are. */
  readonly topics: TopicIO;
  /** Sets a property (a test's `properties`, `auto.offset.reset`). */
  setProperty(key: string, value: string): Promise<void>;
  /** Executes one statement. Throws an error that {@link describeError} turns into an {@link EngineError}. */
  execute(sql: string): Promise<StatementOutcome>;
  /** How the records of `topic` are written, from the stream or table over it (undefined: none is). */
  topicFormat(topic: string): TopicFormat | undefined;
  /** Waits until every persistent query has processed all its input and its output is committed. */
  settle(timeoutMs: number): Promise<void>;
  /** Errors of persistent queries that failed. */
  jobFailures(): readonly string[];
  describeError(err: unknown): EngineError;
  close(): Promise<void>;
}

/** Creates the engine for one test case. */
export type KsqlTestEngineFactory = () => Promise<KsqlTestEngine>;
