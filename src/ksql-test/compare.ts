/**
 * Comparing what a test expects with what the engine did: output records per topic, in order (key, value,
 * timestamp, window; `value: null` is a tombstone), and a REST test's responses. Numbers compare by value (ksqlDB's
 * tests write `1` for a DOUBLE 1.0), object fields by name, exactly. Each mismatch is a readable line, so a failed
 * test shows what differs.
 */
import type { DecodedRecord } from './record-codec.js';
import type { ExpectedResponse, TestRecord } from './test-case.js';
import type { StatementOutcome } from './engine.js';

/** An output record as read back: decoded, with its timestamp. */
export interface ActualRecord extends DecodedRecord {
  readonly timestamp: number;
}

/** Whether two JSON values are equal: numbers by value, objects field by field, arrays element by element. */
export function jsonEquals(expected: unknown, actual: unknown): boolean {
  if (expected === null || actual === null || expected === undefined || actual === undefined) return (expected ?? null) === (actual ?? null);
  if (typeof expected === 'number' || typeof actual === 'number' || typeof expected === 'bigint' || typeof actual === 'bigint') {
    const a = typeof expected === 'bigint' ? Number(expected) : expected;
    const b = typeof actual === 'bigint' ? Number(actual) : actual;
    return typeof a === 'number' && typeof b === 'number' && (a === b || (Number.isNaN(a) && Number.isNaN(b)));
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    return Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => jsonEquals(e, actual[i]));
  }
  if (typeof expected === 'object' && typeof actual === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = Object.keys(e);
    return keys.length === Object.keys(a).length && keys.every((k) => k in a && jsonEquals(e[k], a[k]));
  }
  return expected === actual;
}

/** JSON text of a value (bigints as numbers). */
export function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'undefined';
}

function describeRecord(r: { key: unknown; value: unknown; timestamp?: number; window?: { start: number; end: number; type: string } }): string {
  const window = r.window ? ` window=${r.window.type}[${r.window.start}, ${r.window.end})` : '';
  const timestamp = r.timestamp !== undefined ? ` timestamp=${r.timestamp}` : '';
  return `key=${show(r.key)} value=${r.value === null ? 'null (tombstone)' : show(r.value)}${timestamp}${window}`;
}

/** Whether an actual record is the expected one (a record without `timestamp` matches any timestamp). */
export function recordMatches(expected: TestRecord, actual: ActualRecord): boolean {
  if (!jsonEquals(expected.key, actual.key) || !jsonEquals(expected.value, actual.value)) return false;
  if (expected.timestamp !== undefined && expected.timestamp !== actual.timestamp) return false;
  if (expected.window) {
    const w = actual.window;
    return w !== undefined && w.start === expected.window.start && w.end === expected.window.end && w.type === expected.window.type;
  }
  return true;
}

/**
 * The differences between the records expected on `topic` and those read from it (ksqlDB requires the same
 * number of records, each matching in order); [] when they match.
 */
export function compareTopic(topic: string, expected: readonly TestRecord[], actual: readonly ActualRecord[]): string[] {
  const mismatched = expected.some((e, i) => i >= actual.length || !recordMatches(e, actual[i]!));
  if (!mismatched && expected.length === actual.length) return [];
  const lines = [`topic '${topic}': expected ${expected.length} record${expected.length === 1 ? '' : 's'}, got ${actual.length}${expected.length === actual.length ? ' (some differ)' : ''}`];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i];
    const same = e !== undefined && a !== undefined && recordMatches(e, a);
    const n = `#${i + 1}`.padEnd(5);
    if (same) {
      lines.push(`    ${n} ok        ${describeRecord(a!)}`);
      continue;
    }
    lines.push(`  ! ${n} expected  ${e ? describeRecord(e) : '(nothing)'}`);
    lines.push(`          actual    ${a ? describeRecord(a) : '(nothing)'}`);
  }
  return lines;
}

/**
 * The differences between expected responses and what the statements answered (`{STATEMENT}` in an expected
 * `statementText` stands for the statement's text); [] when they match.
 */
export function compareResponses(expected: readonly ExpectedResponse[], actual: readonly StatementOutcome[], statements: readonly string[]): string[] {
  const lines: string[] = [];
  if (actual.length < expected.length) lines.push(`expected ${expected.length} responses, the statements gave ${actual.length}`);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (!a) return;
    const where = `responses[${i}] (${statements[i]?.slice(0, 60) ?? ''})`;
    if (e.kind === 'admin') {
      if (a.kind !== 'admin') {
        lines.push(`${where}: expected an admin response, got a query response`);
        return;
      }
      const type = e.fields['@type'];
      if (type !== undefined && type !== a.type) lines.push(`${where}: expected @type ${show(type)}, got ${show(a.type)}`);
      const text = e.fields['statementText'];
      if (typeof text === 'string' && statements[i] !== undefined && text.replaceAll('{STATEMENT}', statements[i]!) !== statements[i]) {
        lines.push(`${where}: expected statementText ${show(text)}`);
      }
      return;
    }
    if (a.kind !== 'query') {
      lines.push(`${where}: expected a query response, got an admin response (${a.type})`);
      return;
    }
    if (e.schema !== undefined && e.schema !== a.schema) lines.push(`${where}: schema differs`, `    expected  ${e.schema}`, `    actual    ${a.schema}`);
    const rowsDiffer = e.rows.length !== a.rows.length || e.rows.some((row, j) => !jsonEquals(row, a.rows[j]));
    if (rowsDiffer) {
      lines.push(`${where}: expected ${e.rows.length} row${e.rows.length === 1 ? '' : 's'}, got ${a.rows.length}`);
      for (let j = 0; j < Math.max(e.rows.length, a.rows.length); j++) {
        const er = e.rows[j];
        const ar = a.rows[j];
        if (er !== undefined && ar !== undefined && jsonEquals(er, ar)) lines.push(`    #${j + 1} ok        ${show(ar)}`);
        else lines.push(`  ! #${j + 1} expected  ${er ? show(er) : '(nothing)'}`, `       actual    ${ar ? show(ar) : '(nothing)'}`);
      }
    }
    if ((e.finalMessage ?? null) !== (a.finalMessage ?? null)) lines.push(`${where}: expected final message ${show(e.finalMessage ?? null)}, got ${show(a.finalMessage ?? null)}`);
  });
  return lines;
}
