/** Aggregate calls of the aggregating operators, and the helpers that fold rows into their accumulators. */
import { ROW_KIND_NAMES, type Row } from '../changelog.js';
import { EddyError, ErrorCode } from '../../common/errors.js';
import type { AggregateImpl } from '../../functions/function-types.js';

/** One aggregate call of an aggregating operator (`COUNT(*)`, `SUM($2)`, `COUNT(DISTINCT $1)`). */
export interface AggCall {
  /** The call as EXPLAIN prints it: `COUNT(*)`, `SUM($2)`, `COUNT(DISTINCT $1)`. */
  readonly name: string;
  /** The implementation (already DISTINCT-wrapped when the call is DISTINCT). */
  readonly impl: AggregateImpl;
  /** The input column of the argument; -1 for COUNT(*), which is given `undefined`. */
  readonly argIndex: number;
  /** The input BOOLEAN column of `FILTER (WHERE ..)`, -1 if none: the row counts only when it is `true`. */
  readonly filterIndex: number;
}

/** Fresh accumulators for an empty group, one per call. */
export function createAccumulators(aggs: readonly AggCall[]): unknown[] {
  const accs = new Array<unknown>(aggs.length);
  for (let i = 0; i < aggs.length; i++) accs[i] = aggs[i]!.impl.create();
  return accs;
}

/** Adds `row` to each call's accumulator (skipping calls whose FILTER is not true for it). */
export function accumulateRow(aggs: readonly AggCall[], accs: unknown[], row: Row): void {
  for (let i = 0; i < aggs.length; i++) {
    const a = aggs[i]!;
    if (a.filterIndex >= 0 && row[a.filterIndex] !== true) continue;
    a.impl.add(accs[i], a.argIndex < 0 ? undefined : row[a.argIndex]);
  }
}

/** Removes `row` from each call's accumulator (the calls must support retraction). */
export function retractRow(aggs: readonly AggCall[], accs: unknown[], row: Row): void {
  for (let i = 0; i < aggs.length; i++) {
    const a = aggs[i]!;
    if (a.filterIndex >= 0 && row[a.filterIndex] !== true) continue;
    a.impl.retract(accs[i], a.argIndex < 0 ? undefined : row[a.argIndex]);
  }
}

/** Folds the accumulators `from` into `into`, call by call. */
export function mergeAccumulators(aggs: readonly AggCall[], into: unknown[], from: readonly unknown[]): void {
  for (let i = 0; i < aggs.length; i++) aggs[i]!.impl.merge(into[i], from[i]);
}

/** Writes each call's result into `out`, starting at position `at`. */
export function writeResults(aggs: readonly AggCall[], accs: readonly unknown[], out: unknown[], at: number): void {
  for (let i = 0; i < aggs.length; i++) out[at + i] = aggs[i]!.impl.result(accs[i]);
}

/** The first call that cannot retract, if any (an updating input needs every call to retract). */
export function firstNonRetractable(aggs: readonly AggCall[]): AggCall | undefined {
  return aggs.find((a) => !a.impl.supportsRetract);
}

/** `COUNT(*), SUM($2)`: the calls for EXPLAIN. */
export function describeAggs(aggs: readonly AggCall[]): string {
  return aggs.map((a) => a.name).join(', ');
}

/** `$0, $3`: column positions for EXPLAIN. */
export function describeColumns(indices: readonly number[]): string {
  return indices.map((i) => `$${i}`).join(', ');
}

/** The error for a non-insert row reaching an operator that takes insert-only input. */
export function notInsertOnly(operator: string, kind: number): EddyError {
  return new EddyError({
    code: ErrorCode.UNSUPPORTED,
    message: `${operator} takes insert-only input but received a ${ROW_KIND_NAMES[kind] ?? kind} row`,
    hint: 'the planner should have rejected this plan; please report it',
  });
}
