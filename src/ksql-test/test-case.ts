/**
 * ksqlDB's test formats, read into one model: a {@link KsqlTestCase} per test (per `format` / `config` value).
 *
 * - The test-runner layout (`ksql-test-runner -s statements.sql -i input.json -o output.json`): a directory holding
 *   `statements.sql`, `output.json` and (optionally) `input.json`, or the three files given one after another.
 * - Query-validation JSON (ksqlDB's `query-validation-tests/*.json`): `{"tests": [{"name", "statements", "inputs",
 *   "outputs", "properties"?, "expectedException"?, "format"?, "config"?, "topics"?}]}`.
 * - REST query-validation JSON (`rest-query-validation-tests/*.json`): the same, with `responses` (what each
 *   statement answers) and `expectedError` instead of `expectedException`.
 *
 * Expansion follows ksqlDB's TestCaseBuilder: a test with `format: [A, B]` becomes one test per format, named
 * `<file> - <name> - <format>`, with `{FORMAT}` in its statements replaced by the format. `config` (Eddy's addition
 * for the same idea with properties) expands one test per element: an object is merged into the test's
 * `properties`, a string replaces `{CONFIG}` in the statements.
 *
 * What Eddy does not check (post conditions, record headers, an unknown field) is kept on the case as
 * `unsupported` reasons: such a test is reported as unsupported, never as passed.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { statementEnds } from '../parser/sql-text.js';

/** A record's window, as ksqlDB's tests write it (`time` for tumbling and hopping windows). */
export interface WindowData {
  readonly start: number;
  readonly end: number;
  readonly type: 'time' | 'session';
}

/** A record of a test's inputs or outputs. `value: null` is a tombstone; `key` is JSON (a primitive, or an object). */
export interface TestRecord {
  readonly topic: string;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp?: number;
  readonly window?: WindowData;
}

/** What error a test expects (`type` is a Java class name, which Eddy cannot check; `message` must be contained). */
export interface ExpectedError {
  readonly type?: string;
  readonly message?: string;
}

/** One expected response of a REST test: `{"admin": {...}}` or `{"query": [...]}`. */
export type ExpectedResponse =
  | { readonly kind: 'admin'; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly kind: 'query'; readonly schema?: string; readonly rows: readonly (readonly unknown[])[]; readonly finalMessage?: string };

/** A topic a test declares (`topics`), or one its records name. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface KsqlTestCase {
  /** `<file> - <test name>[ - <format>]`, as ksqlDB names it. */
  readonly name: string;
  /** The file it came from. */
  readonly file: string;
  readonly statements: readonly string[];
  readonly inputs: readonly TestRecord[];
  /** Expected output records; undefined when the test gives none (nothing is read back). */
  readonly outputs?: readonly TestRecord[];
  readonly properties: Readonly<Record<string, string>>;
  readonly expectedError?: ExpectedError;
  /** REST tests: the expected responses, in statement order. */
  readonly responses?: readonly ExpectedResponse[];
  readonly topics: readonly TopicSpec[];
  /** Why Eddy cannot run or check this test faithfully (empty: it can). */
  readonly unsupported: readonly string[];
}

/** A file or directory that could not be read as a test (reported as a failure of that path). */
export class TestFileError extends Error {
  override readonly name = 'TestFileError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const TEST_FIELDS = new Set(['name', 'comment', 'comments', 'statements', 'inputs', 'outputs', 'properties', 'expectedException', 'expectedError', 'format', 'config', 'topics', 'responses', 'post', 'versions', 'enabled', 'inputConditions', 'outputConditions']);
const RECORD_FIELDS = new Set(['topic', 'key', 'value', 'timestamp', 'window', 'headers', 'comment']);

/**
 * The test cases under `paths`: JSON files (query-validation or REST), directories in the test-runner layout, and
 * directories searched for both (in name order). A path that is none of these throws a {@link TestFileError}.
 */
export function loadTestCases(paths: readonly string[]): KsqlTestCase[] {
  const cases: KsqlTestCase[] = [];
  // `statements.sql input.json output.json` given as three paths: the test-runner's own command line.
  if (paths.length >= 2 && paths.every((p) => p.endsWith('.sql') || p.endsWith('.json')) && paths.filter((p) => p.endsWith('.sql')).length === 1) {
    const sql = paths.find((p) => p.endsWith('.sql'))!;
    const json = paths.filter((p) => p !== sql);
    const output = json.find((p) => /output/i.test(basename(p))) ?? json[json.length - 1]!;
    const input = json.find((p) => p !== output);
    return [runnerLayoutCase(sql, input, output)];
  }
  for (const path of paths) collect(path, cases);
  return cases;
}

function collect(path: string, cases: KsqlTestCase[]): void {
  if (!existsSync(path)) throw new TestFileError(path, 'no such file or directory');
  if (statSync(path).isDirectory()) {
    const statements = join(path, 'statements.sql');
    if (existsSync(statements)) {
      const input = join(path, 'input.json');
      cases.push(runnerLayoutCase(statements, existsSync(input) ? input : undefined, join(path, 'output.json')));
      return;
    }
    for (const entry of readdirSync(path).sort()) {
      const child = join(path, entry);
      if (statSync(child).isDirectory() || extname(entry) === '.json') collect(child, cases);
    }
    return;
  }
  if (extname(path) !== '.json') throw new TestFileError(path, 'not a test file (a .json test file, or a directory)');
  cases.push(...testFileCases(path, readJson(path)));
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TestFileError(path, `cannot read it: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TestFileError(path, `not valid JSON: ${(e as Error).message}`);
  }
}

/** The single test of the test-runner layout (ksqlDB names it `KSQL_Test`). */
function runnerLayoutCase(statementsPath: string, inputPath: string | undefined, outputPath: string): KsqlTestCase {
  if (!existsSync(outputPath)) throw new TestFileError(outputPath, 'no such file (the test-runner layout needs output.json)');
  let sql: string;
  try {
    sql = readFileSync(statementsPath, 'utf8');
  } catch (e) {
    throw new TestFileError(statementsPath, `cannot read it: ${(e as Error).message}`);
  }
  const input = inputPath ? readJson(inputPath) : { inputs: [] };
  const output = readJson(outputPath);
  const inputs = recordList(inputPath ?? statementsPath, (input as { inputs?: unknown }).inputs, 'inputs');
  const outputs = recordList(outputPath, (output as { outputs?: unknown }).outputs, 'outputs');
  const unsupported = [...inputs.unsupported, ...outputs.unsupported];
  const statements = splitStatements(sql);
  if (statements.length === 0) throw new TestFileError(statementsPath, 'holds no statement');
  return {
    name: `${basename(statementsPath, '.sql')} - KSQL_Test`,
    file: statementsPath,
    statements,
    inputs: inputs.records,
    outputs: outputs.records,
    properties: {},
    topics: topicsOf([], inputs.records, outputs.records),
    unsupported,
  };
}

/** The statements of a script, each with its `;`. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const end of statementEnds(sql)) {
    const text = sql.slice(start, end + 1).trim();
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== ';') out.push(text);
    start = end + 1;
  }
  const rest = sql.slice(start).replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim();
  if (rest !== '') out.push(sql.slice(start).trim());
  return out;
}

/** The cases of a query-validation or REST file. */
export function testFileCases(path: string, json: unknown): KsqlTestCase[] {
  const tests = (json as { tests?: unknown } | null)?.tests;
  if (!Array.isArray(tests)) throw new TestFileError(path, 'has no "tests" array');
  const file = basename(path, '.json');
  const cases: KsqlTestCase[] = [];
  tests.forEach((t: unknown, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new TestFileError(path, `tests[${i}] is not an object`);
    const test = t as Record<string, unknown>;
    if (test['enabled'] === false) return;
    cases.push(...expand(path, file, test, i));
  });
  return cases;
}

function expand(path: string, file: string, test: Record<string, unknown>, index: number): KsqlTestCase[] {
  const where = `tests[${index}]`;
  const name = typeof test['name'] === 'string' && test['name'] !== '' ? test['name'] : undefined;
  if (!name) throw new TestFileError(path, `${where} has no "name"`);
  const statements = test['statements'];
  if (!Array.isArray(statements) || statements.length === 0 || !statements.every((s) => typeof s === 'string')) {
    throw new TestFileError(path, `test '${name}': "statements" must be a non-empty array of strings`);
  }
  const unsupported: string[] = [];
  for (const key of Object.keys(test)) if (!TEST_FIELDS.has(key)) unsupported.push(`unknown field "${key}"`);
  if (test['post'] !== undefined) unsupported.push('"post" conditions (the sources\' schemas and formats after the test) are not checked');
  if (test['inputConditions'] !== undefined || test['outputConditions'] !== undefined) unsupported.push('"inputConditions"/"outputConditions" are not supported');
  const inputs = recordList(path, test['inputs'] ?? [], `test '${name}': inputs`);
  const outputs = test['outputs'] === undefined ? undefined : recordList(path, test['outputs'], `test '${name}': outputs`);
  unsupported.push(...inputs.unsupported, ...(outputs?.unsupported ?? []));
  const properties = propertiesOf(path, name, test['properties']);
  const expectedError = expectedErrorOf(path, name, test['expectedException'] ?? test['expectedError']);
  const responses = test['responses'] === undefined ? undefined : responsesOf(path, name, test['responses'], unsupported);
  const declared = topicList(path, name, test['topics'], unsupported);
  const topics = topicsOf(declared, inputs.records, outputs?.records ?? []);

  const formats = variants(path, name, test['format'], 'format');
  const configs = variants(path, name, test['config'], 'config');
  const cases: KsqlTestCase[] = [];
  for (const format of formats) {
    for (const config of configs) {
      let stmts = statements as string[];
      if (format !== undefined) stmts = stmts.map((s) => s.replaceAll('{FORMAT}', format as string));
      let props = properties;
      let suffix = format !== undefined ? ` - ${format as string}` : '';
      if (typeof config === 'string') {
        stmts = stmts.map((s) => s.replaceAll('{CONFIG}', config));
        suffix += ` - ${config}`;
      } else if (config !== undefined) {
        const extra = propertiesOf(path, name, config);
        props = { ...properties, ...extra };
        suffix += ` - ${Object.entries(extra).map(([k, v]) => `${k}=${v}`).join(', ')}`;
      }
      const caseUnsupported = [...unsupported];
      if (stmts.some((s) => s.includes('{FORMAT}'))) caseUnsupported.push('a statement uses {FORMAT} but the test has no "format"');
      cases.push({
        name: `${file} - ${name}${suffix}`,
        file: path,
        statements: stmts,
        inputs: inputs.records,
        ...(outputs ? { outputs: outputs.records } : {}),
        properties: props,
        ...(expectedError ? { expectedError } : {}),
        ...(responses ? { responses } : {}),
        topics,
        unsupported: caseUnsupported,
      });
    }
  }
  return cases;
}

/** The values of a `format` or `config` array ([undefined] when absent: one test). */
function variants(path: string, name: string, value: unknown, field: string): unknown[] {
  if (value === undefined) return [undefined];
  if (!Array.isArray(value) || value.length === 0) throw new TestFileError(path, `test '${name}': "${field}" must be a non-empty array`);
  if (field === 'format' && !value.every((v) => typeof v === 'string')) throw new TestFileError(path, `test '${name}': "format" must list format names`);
  if (field === 'config' && !value.every((v) => typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v)))) {
    throw new TestFileError(path, `test '${name}': "config" must list strings or objects of properties`);
  }
  return value;
}

function propertiesOf(path: string, name: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new TestFileError(path, `test '${name}': "properties" must be an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

function expectedErrorOf(path: string, name: string, value: unknown): ExpectedError | undefined {
  if (value === undefined) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || (typeof v['type'] !== 'string' && typeof v['message'] !== 'string')) {
    throw new TestFileError(path, `test '${name}': the expected exception needs a "type" or a "message"`);
  }
  return { ...(typeof v['type'] === 'string' ? { type: v['type'] } : {}), ...(typeof v['message'] === 'string' ? { message: v['message'] } : {}) };
}

function topicList(path: string, name: string, value: unknown, unsupported: string[]): TopicSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TestFileError(path, `test '${name}': "topics" must be an array`);
  return value.map((t: unknown) => {
    const topic = t as Record<string, unknown>;
    if (typeof topic?.['name'] !== 'string') throw new TestFileError(path, `test '${name}': each of "topics" needs a "name"`);
    for (const key of Object.keys(topic)) {
      if (key === 'keySchema' || key === 'valueSchema' || key === 'keyFormat' || key === 'valueFormat' || key === 'format') unsupported.push(`topic '${topic['name']}': "${key}" (schema registry) is not supported`);
      else if (key !== 'name' && key !== 'partitions' && key !== 'replicas') unsupported.push(`topic '${topic['name']}': unknown field "${key}"`);
    }
    const partitions = topic['partitions'] === undefined ? 1 : Number(topic['partitions']);
    if (!Number.isInteger(partitions) || partitions < 1) throw new TestFileError(path, `test '${name}': topic '${topic['name']}' has an invalid "partitions"`);
    return { name: topic['name'], partitions };
  });
}

/** The topics a test uses: those declared, then those its records name (one partition, so order is total). */
function topicsOf(declared: readonly TopicSpec[], inputs: readonly TestRecord[], outputs: readonly TestRecord[]): TopicSpec[] {
  const out = [...declared];
  for (const r of [...inputs, ...outputs]) if (!out.some((t) => t.name === r.topic)) out.push({ name: r.topic, partitions: 1 });
  return out;
}

function recordList(path: string, value: unknown, where: string): { records: TestRecord[]; unsupported: string[] } {
  if (!Array.isArray(value)) throw new TestFileError(path, `${where} must be an array of records`);
  const unsupported = new Set<string>();
  const records = value.map((r: unknown, i) => {
    const rec = r as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new TestFileError(path, `${where}[${i}] is not an object`);
    if (typeof rec['topic'] !== 'string' || rec['topic'] === '') throw new TestFileError(path, `${where}[${i}] has no "topic"`);
    if (!('value' in rec)) throw new TestFileError(path, `${where}[${i}] has no "value"`);
    for (const key of Object.keys(rec)) {
      if (key === 'headers') unsupported.add('record headers are not supported');
      else if (!RECORD_FIELDS.has(key)) unsupported.add(`unknown record field "${key}"`);
    }
    const timestamp = rec['timestamp'];
    if (timestamp !== undefined && (typeof timestamp !== 'number' || !Number.isInteger(timestamp))) throw new TestFileError(path, `${where}[${i}]: "timestamp" must be an integer (epoch ms)`);
    return {
      topic: rec['topic'],
      key: rec['key'] ?? null,
      value: rec['value'],
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(rec['window'] !== undefined ? { window: windowOf(path, `${where}[${i}]`, rec['window']) } : {}),
    };
  });
  return { records, unsupported: [...unsupported] };
}

function windowOf(path: string, where: string, value: unknown): WindowData {
  const w = value as Record<string, unknown>;
  const type = typeof w?.['type'] === 'string' ? w['type'].toLowerCase() : undefined;
  if (typeof w?.['start'] !== 'number' || typeof w['end'] !== 'number' || (type !== 'time' && type !== 'session')) {
    throw new TestFileError(path, `${where}: "window" must be {"start": ms, "end": ms, "type": "time"|"session"}`);
  }
  return { start: w['start'], end: w['end'], type };
}

function responsesOf(path: string, name: string, value: unknown, unsupported: string[]): ExpectedResponse[] {
  if (!Array.isArray(value)) throw new TestFileError(path, `test '${name}': "responses" must be an array`);
  return value.map((r: unknown, i) => {
    const entry = r as Record<string, unknown>;
    const keys = typeof r === 'object' && r !== null ? Object.keys(entry) : [];
    if (keys.length !== 1 || (keys[0] !== 'admin' && keys[0] !== 'query')) throw new TestFileError(path, `test '${name}': responses[${i}] must be {"admin": {...}} or {"query": [...]}`);
    if (keys[0] === 'admin') {
      const fields = entry['admin'];
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new TestFileError(path, `test '${name}': responses[${i}].admin must be an object`);
      for (const key of Object.keys(fields)) if (key !== '@type' && key !== 'statementText') unsupported.push(`responses[${i}]: the admin field "${key}" is not checked`);
      return { kind: 'admin', fields: fields as Record<string, unknown> };
    }
    const parts = entry['query'];
    if (!Array.isArray(parts)) throw new TestFileError(path, `test '${name}': responses[${i}].query must be an array`);
    let schema: string | undefined;
    let finalMessage: string | undefined;
    const rows: unknown[][] = [];
    for (const part of parts as Record<string, unknown>[]) {
      const header = part?.['header'] as Record<string, unknown> | undefined;
      const row = part?.['row'] as Record<string, unknown> | undefined;
      if (header && typeof header['schema'] === 'string') schema = header['schema'];
      else if (row && Array.isArray(row['columns'])) rows.push(row['columns']);
      else if (typeof part?.['finalMessage'] === 'string') finalMessage = part['finalMessage'];
      else unsupported.push(`responses[${i}]: the query response part ${JSON.stringify(part).slice(0, 60)} is not supported`);
    }
    return { kind: 'query', ...(schema !== undefined ? { schema } : {}), rows, ...(finalMessage !== undefined ? { finalMessage } : {}) };
  });
}
