/**
 * Runs ksqlDB test cases against a fresh engine each, as ksqlDB's own runners do:
 *
 * 1. `auto.offset.reset` = `earliest` (the runners read every topic from its start), then the test's properties;
 * 2. the topics the test declares or its records name are created (one partition unless declared, so a topic's
 *    order is the order written);
 * 3. the statements run in order; before the first query (SELECT) — or after the last statement when there is
 *    none — the inputs are produced one at a time, each with its key, value and timestamp encoded per the stream or
 *    table over its topic, and after each one the engine settles (every persistent query has processed it and
 *    committed its output): what Kafka Streams' TopologyTestDriver does, processing one record through the whole
 *    topology before the next;
 * 4. each expected output topic is read back (read_committed) and compared in order; a REST test's responses are
 *    compared with what each statement answered.
 *
 * A test passes only when all of it matched. One that expects an error passes only when a statement (or a
 * persistent query) failed with an error containing the expected message. What Eddy cannot run or check —
 * a field it does not know, a format it cannot encode, a statement it refuses as not supported — makes the test
 * `unsupported`, never `passed`.
 */
import type { KsqlTestEngine, KsqlTestEngineFactory, StatementOutcome } from './engine.js';
import { compareResponses, compareTopic, type ActualRecord } from './compare.js';
import { decodeRecord, encodeKey, encodeValue, RecordMismatch, UnsupportedRecord } from './record-codec.js';
import type { KsqlTestCase, TestRecord } from './test-case.js';

export type CaseStatus = 'passed' | 'failed' | 'unsupported';

export interface CaseResult {
  readonly name: string;
  readonly status: CaseStatus;
  /** Why it failed (a diff) or is unsupported; for a pass, notes (an exception type that was not checked). */
  readonly details: readonly string[];
}

export interface RunOptions {
  /** How long one settle may take before the test fails (default 30 s). */
  readonly settleTimeoutMs?: number;
}

/** Ends a case early with a status (thrown inside {@link runCase}). */
class Outcome extends Error {
  constructor(
    readonly status: CaseStatus,
    readonly details: readonly string[],
  ) {
    super(details.join('; '));
  }
}

const fail = (...details: string[]) => new Outcome('failed', details);
const unsupported = (...details: string[]) => new Outcome('unsupported', details);

/** Whether a statement is a query (its first word, comments aside, is SELECT). */
export function isQuery(sql: string): boolean {
  return /^select\b/i.test(sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim());
}

/** Runs one test case against a new engine from `createEngine`. */
export async function runCase(test: KsqlTestCase, createEngine: KsqlTestEngineFactory, options: RunOptions = {}): Promise<CaseResult> {
  if (test.unsupported.length > 0) return { name: test.name, status: 'unsupported', details: test.unsupported };
  let engine: KsqlTestEngine | undefined;
  try {
    engine = await createEngine();
    const details = await runOn(engine, test, options.settleTimeoutMs ?? 30_000);
    return { name: test.name, status: 'passed', details };
  } catch (err) {
    if (err instanceof Outcome) return { name: test.name, status: err.status, details: err.details };
    return { name: test.name, status: 'failed', details: [`the runner failed: ${(err as Error)?.message ?? String(err)}`] };
  } finally {
    await engine?.close().catch(() => {});
  }
}

async function runOn(engine: KsqlTestEngine, test: KsqlTestCase, settleTimeoutMs: number): Promise<string[]> {
  const notes: string[] = [];
  const expected = test.expectedError;
  if (expected?.type !== undefined) notes.push(`the expected exception's type (${expected.type}) is not checked, only its message`);

  await engine.setProperty('auto.offset.reset', 'earliest');
  for (const [key, value] of Object.entries(test.properties)) {
    try {
      await engine.setProperty(key, value);
    } catch (err) {
      throw unsupported(`property '${key}' = '${value}': ${engine.describeError(err).message}`);
    }
  }
  for (const topic of test.topics) await engine.topics.createTopic(topic.name, topic.partitions);

  const outcomes: StatementOutcome[] = [];
  let produced = false;
  const produceInputs = async () => {
    produced = true;
    for (const record of test.inputs) {
      await produce(engine, record);
      await settle(engine, settleTimeoutMs);
    }
    if (test.inputs.length === 0) await settle(engine, settleTimeoutMs);
  };
  for (const [i, sql] of test.statements.entries()) {
    if (!produced && isQuery(sql)) await produceInputs();
    try {
      outcomes.push(await engine.execute(sql));
    } catch (err) {
      const error = engine.describeError(err);
      if (expected) return expectedErrorMatches(expected.message, error.message, notes);
      if (error.unsupported) throw unsupported(`statement ${i + 1} is not supported: ${error.message}`);
      throw fail(`statement ${i + 1} failed: ${sql}`, ...indent(error.message));
    }
  }
  if (!produced) await produceInputs();

  const failures = engine.jobFailures();
  if (expected) {
    if (failures.length > 0) return expectedErrorMatches(expected.message, failures.join('\n'), notes);
    throw fail(`expected an error${expected.message !== undefined ? ` containing ${JSON.stringify(expected.message)}` : ''}, but every statement succeeded`);
  }
  if (failures.length > 0) throw fail('a persistent query failed:', ...failures.flatMap(indent));

  const diffs: string[] = [];
  if (test.outputs) {
    for (const [topic, records] of byTopic(test.outputs)) diffs.push(...(await compareOutputs(engine, topic, records)));
  }
  if (test.responses) diffs.push(...compareResponses(test.responses, outcomes, test.statements));
  if (diffs.length > 0) throw fail(...diffs);
  return notes;
}

function expectedErrorMatches(message: string | undefined, actual: string, notes: string[]): string[] {
  if (message === undefined || actual.includes(message)) return notes;
  throw fail(`expected an error containing:`, ...indent(message), 'got:', ...indent(actual));
}

async function produce(engine: KsqlTestEngine, record: TestRecord): Promise<void> {
  const format = engine.topicFormat(record.topic);
  if (!format) throw unsupported(`no stream or table reads topic '${record.topic}', so its key and value formats are unknown`);
  try {
    const key = encodeKey(format, record);
    const value = encodeValue(format, record);
    await engine.topics.produce([{ topic: record.topic, key, value, timestamp: record.timestamp ?? 0 }]);
  } catch (err) {
    if (err instanceof UnsupportedRecord) throw unsupported(err.message);
    if (err instanceof RecordMismatch) throw fail(`input record on '${record.topic}': ${err.message}`);
    throw err;
  }
}

async function settle(engine: KsqlTestEngine, timeoutMs: number): Promise<void> {
  try {
    await engine.settle(timeoutMs);
  } catch (err) {
    throw fail(`the persistent queries did not settle: ${engine.describeError(err).message}`);
  }
}

async function compareOutputs(engine: KsqlTestEngine, topic: string, expected: readonly TestRecord[]): Promise<string[]> {
  const format = engine.topicFormat(topic);
  if (!format) return [`topic '${topic}': no stream or table writes it, so its records cannot be read`];
  const stored = await engine.topics.readAll(topic);
  let actual: ActualRecord[];
  try {
    actual = stored.map((r) => ({ ...decodeRecord(format, r.key, r.value), timestamp: r.timestamp }));
  } catch (err) {
    if (err instanceof UnsupportedRecord) throw unsupported(err.message);
    if (err instanceof RecordMismatch) return [err.message];
    throw err;
  }
  return compareTopic(topic, expected, actual);
}

function byTopic(records: readonly TestRecord[]): Map<string, TestRecord[]> {
  const out = new Map<string, TestRecord[]>();
  for (const r of records) {
    const list = out.get(r.topic) ?? [];
    list.push(r);
    out.set(r.topic, list);
  }
  return out;
}

function indent(text: string): string[] {
  return text.split('\n').map((l) => `    ${l}`);
}

/** Totals of a run. */
export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly unsupported: number;
}

/**
 * Runs `cases` one after another, writing `PASS name` / `FAIL name` (with the differences) / `UNSUPPORTED name`
 * (with why) as each ends, then `N passed, N failed[, N unsupported]`. `verbose` also shows a passed test's notes.
 */
export async function runCases(cases: readonly KsqlTestCase[], createEngine: KsqlTestEngineFactory, out: (text: string) => void, options: RunOptions & { readonly verbose?: boolean } = {}): Promise<RunSummary> {
  const counts = { passed: 0, failed: 0, unsupported: 0 };
  for (const test of cases) {
    const result = await runCase(test, createEngine, options);
    counts[result.status]++;
    out(`${{ passed: 'PASS', failed: 'FAIL', unsupported: 'UNSUPPORTED' }[result.status]} ${result.name}\n`);
    if (result.status !== 'passed' || options.verbose) for (const line of result.details) out(`    ${line}\n`);
  }
  out(summaryLine(counts) + '\n');
  return counts;
}

export function summaryLine(s: RunSummary): string {
  return `${s.passed} passed, ${s.failed} failed${s.unsupported > 0 ? `, ${s.unsupported} unsupported` : ''}`;
}
