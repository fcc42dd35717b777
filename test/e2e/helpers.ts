/** Helpers for end-to-end tests through the public engine API: temp files, running queries, changelogs. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Eddy } from '../../src/engine/eddy.js';
import type { JobSummary } from '../../src/engine/job-summary.js';
import { mulberry32 as prng } from '../../src/connectors/datagen.js';
/** A seeded PRNG (the datagen connector's mulberry32), so failures reproduce. */
export { prng };

/** A fresh temp directory. */
export function tempDir(prefix = 'eddy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes JSON lines; returns the file path. */
export function writeJsonLines(dir: string, name: string, records: readonly object[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** Runs DDL statements, then a SELECT to its end; returns every change with its kind. */
export async function runQuery(eddy: Eddy, sql: string): Promise<{ changes: { kind: number; row: unknown[] }[]; summary: JobSummary }> {
  const result = await eddy.execute(sql);
  if (result.kind !== 'query') throw new Error(`expected a query, got ${result.kind}`);
  const batches = await result.query.collect();
  const changes = batches.flatMap((b) => b.rows.map((row, i) => ({ kind: b.kinds[i]!, row })));
  return { changes, summary: result.query.summary() };
}

/** Executes statements (DDL, SET) in order. */
export async function executeAll(eddy: Eddy, script: string): Promise<void> {
  for await (const r of eddy.executeScript(script)) {
    if (r.kind === 'query' || r.kind === 'job') throw new Error('executeAll is for DDL only');
  }
}

/**
 * Applies a changelog to a multiset of rows: +I/+U add a row, -U/-D remove one (which must be present).
 * Returns the final rows, sorted, as JSON strings.
 */
export function materialize(changes: readonly { kind: number; row: unknown[] }[]): string[] {
  const bag = new Map<string, number>();
  for (const { kind, row } of changes) {
    const key = JSON.stringify(row);
    const add = kind === 0 || kind === 2;
    const n = (bag.get(key) ?? 0) + (add ? 1 : -1);
    if (n < 0) throw new Error(`retraction of a row never added: ${key}`);
    if (n === 0) bag.delete(key);
    else bag.set(key, n);
  }
  const out: string[] = [];
  for (const [k, n] of bag) for (let i = 0; i < n; i++) out.push(k);
  return out.sort();
}

/** Sorted JSON strings of rows (for comparing multisets). */
export function sortedRows(rows: readonly unknown[][]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}


/** a / b rounded half away from zero (Java's HALF_UP), on bigints: the reference for exact DECIMAL tests. */
export function divideHalfUp(a: bigint, b: bigint): bigint {
  const negative = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  const q = x / y + ((x % y) * 2n >= y ? 1n : 0n);
  return negative ? -q : q;
}
