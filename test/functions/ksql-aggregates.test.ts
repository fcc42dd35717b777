/**
 * ksqlDB's aggregates (LATEST_BY_OFFSET, EARLIEST_BY_OFFSET, COLLECT_LIST, COLLECT_SET, TOPK, TOPKDISTINCT,
 * COUNT_DISTINCT) on hand-checked inputs: results, retraction (or its refusal), merge and checkpointing.
 */
import { describe, expect, it } from 'vitest';
import { T, typeToString, type DataType } from '../../src/common/types.js';
import { decodeValue, encodeValue } from '../../src/runtime/operators/state-codecs.js';
import { isResolutionError, type AggregateImpl, type ResolvedAggregate } from '../../src/functions/function-types.js';
import { registry } from './helpers.js';

/** Resolves `name` for the types, with the literal settings after the aggregated value. */
function agg(name: string, argTypes: DataType[], settings: unknown[] = []): ResolvedAggregate {
  const r = registry.aggregate(name)!.resolve(argTypes, false, { literalArgs: [undefined, ...settings] });
  if (isResolutionError(r)) throw new Error(r.error);
  return r;
}

function aggError(name: string, argTypes: DataType[], settings: unknown[] = [], distinct = false): string | undefined {
  const r = registry.aggregate(name)!.resolve(argTypes, distinct, { literalArgs: [undefined, ...settings] });
  return isResolutionError(r) ? r.error : undefined;
}

function addAll(impl: AggregateImpl, values: unknown[], acc = impl.create()): unknown {
  for (const v of values) impl.add(acc, v);
  return acc;
}

/** Through the state codec and JSON, as a checkpoint stores it. */
function checkpoint(impl: AggregateImpl, acc: unknown): unknown {
  return impl.deserialize(decodeValue(JSON.parse(JSON.stringify(encodeValue(impl.serialize(acc))))));
}

describe('LATEST_BY_OFFSET and EARLIEST_BY_OFFSET', () => {
  it('take the latest / earliest non-NULL value by default', () => {
    const latest = agg('LATEST_BY_OFFSET', [T.int()]).impl;
    const earliest = agg('EARLIEST_BY_OFFSET', [T.int()]).impl;
    expect(latest.result(addAll(latest, [1, null, 3, null]))).toBe(3);
    expect(earliest.result(addAll(earliest, [null, 1, 2]))).toBe(1);
    expect(latest.result(latest.create())).toBe(null);
  });

  it('keep NULLs when ignoreNulls is FALSE', () => {
    const latest = agg('LATEST_BY_OFFSET', [T.int(), T.boolean()], [false]).impl;
    const earliest = agg('EARLIEST_BY_OFFSET', [T.int(), T.boolean()], [false]).impl;
    expect(latest.result(addAll(latest, [1, 3, null]))).toBe(null);
    expect(earliest.result(addAll(earliest, [null, 1, 2]))).toBe(null);
  });

  it('with n, return the latest / earliest n values as an ARRAY, oldest first', () => {
    const r = agg('LATEST_BY_OFFSET', [T.string(), T.int()], [2]);
    expect(typeToString(r.type)).toBe('ARRAY<STRING> NOT NULL');
    expect(r.impl.result(addAll(r.impl, ['a', 'b', null, 'c']))).toEqual(['b', 'c']);
    const e = agg('EARLIEST_BY_OFFSET', [T.string(), T.int(), T.boolean()], [2, false]).impl;
    expect(e.result(addAll(e, [null, 'a', 'b']))).toEqual([null, 'a']);
    const few = agg('LATEST_BY_OFFSET', [T.int(), T.int()], [3]).impl;
    expect(few.result(addAll(few, [7]))).toEqual([7]);
  });

  it('cannot retract, and refuse bad settings', () => {
    expect(agg('LATEST_BY_OFFSET', [T.int()]).impl.supportsRetract).toBe(false);
    expect(agg('EARLIEST_BY_OFFSET', [T.int(), T.int()], [2]).impl.supportsRetract).toBe(false);
    expect(aggError('LATEST_BY_OFFSET', [T.int(), T.int()], [0])).toBe('LATEST_BY_OFFSET: n must be 1 or greater, got 0');
    expect(aggError('LATEST_BY_OFFSET', [T.int(), T.string()], ['x'])).toBe('LATEST_BY_OFFSET expects (x [, n INT] [, ignoreNulls BOOLEAN]), got STRING as argument 2');
    expect(aggError('LATEST_BY_OFFSET', [T.int()], [], true)).toBe('LATEST_BY_OFFSET does not support DISTINCT');
  });

  it('merge by arrival order, whichever accumulator is merged into which', () => {
    const latest = agg('LATEST_BY_OFFSET', [T.int()]).impl;
    const earliest = agg('EARLIEST_BY_OFFSET', [T.int(), T.int()], [2]).impl;
    const older = addAll(latest, [1, 2]);
    const newer = addAll(latest, [3]);
    latest.merge(newer, older);
    expect(latest.result(newer)).toBe(3);
    const e1 = addAll(earliest, [10, 20]);
    const e2 = addAll(earliest, [5]);
    earliest.merge(e2, e1);
    expect(earliest.result(e2)).toEqual([10, 20]);
  });

  it('survive a checkpoint, and values added after a restore are later than the restored ones', () => {
    const latest = agg('LATEST_BY_OFFSET', [T.bigint()]).impl;
    const restored = latest.deserialize([[1e12, 5]]);
    expect(latest.result(restored)).toBe(5);
    const later = addAll(latest, [7]);
    latest.merge(restored, later);
    expect(latest.result(restored)).toBe(7);
    const acc = addAll(latest, [2n ** 60n, 3]);
    expect(latest.result(checkpoint(latest, acc))).toBe(3);
  });
});

describe('COLLECT_LIST and COLLECT_SET', () => {
  it('collect in arrival order, NULLs included', () => {
    const list = agg('COLLECT_LIST', [T.int()]);
    expect(typeToString(list.type)).toBe('ARRAY<INT> NOT NULL');
    expect(list.impl.result(addAll(list.impl, [1, 2, 1, null]))).toEqual([1, 2, 1, null]);
    const set = agg('COLLECT_SET', [T.string()]).impl;
    expect(set.result(addAll(set, ['b', 'a', 'b', null, 'a']))).toEqual(['b', 'a', null]);
    expect(list.impl.result(list.impl.create())).toEqual([]);
  });

  it('retract exactly: the list drops the latest copy, the set a value with its last copy', () => {
    const list = agg('COLLECT_LIST', [T.int()]).impl;
    expect(list.supportsRetract).toBe(true);
    const acc = addAll(list, [1, 2, 1, 3]);
    list.retract(acc, 1);
    expect(list.result(acc)).toEqual([1, 2, 3]);
    const set = agg('COLLECT_SET', [T.int()]).impl;
    const s = addAll(set, [1, 2, 1]);
    set.retract(s, 1);
    expect(set.result(s)).toEqual([1, 2]);
    set.retract(s, 1);
    expect(set.result(s)).toEqual([2]);
  });

  it('merge and checkpoint', () => {
    const set = agg('COLLECT_SET', [T.bytes()]).impl;
    const a = addAll(set, [new Uint8Array([1]), new Uint8Array([2])]);
    const b = addAll(set, [new Uint8Array([2]), new Uint8Array([3])]);
    set.merge(a, b);
    const restored = checkpoint(set, a);
    expect(set.result(restored)).toEqual([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    set.retract(restored, new Uint8Array([2]));
    expect(set.result(restored)).toEqual([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    const list = agg('COLLECT_LIST', [T.string()]).impl;
    expect(list.result(checkpoint(list, addAll(list, ['x', null, 'y'])))).toEqual(['x', null, 'y']);
  });
});

describe('TOPK and TOPKDISTINCT', () => {
  const values = [5, 1, null, 9, 5, 7];

  it('return the k greatest values, greatest first', () => {
    const top3 = agg('TOPK', [T.int(), T.int()], [3]);
    expect(typeToString(top3.type)).toBe('ARRAY<INT NOT NULL> NOT NULL');
    expect(top3.impl.result(addAll(top3.impl, values))).toEqual([9, 7, 5]);
    const top4 = agg('TOPK', [T.int(), T.int()], [4]).impl;
    expect(top4.result(addAll(top4, values))).toEqual([9, 7, 5, 5]);
    const distinct4 = agg('TOPKDISTINCT', [T.int(), T.int()], [4]).impl;
    expect(distinct4.result(addAll(distinct4, values))).toEqual([9, 7, 5, 1]);
    const strings = agg('TOPK', [T.string(), T.int()], [2]).impl;
    expect(strings.result(addAll(strings, ['pear', 'apple', 'zoo']))).toEqual(['zoo', 'pear']);
    expect(top3.impl.result(top3.impl.create())).toEqual([]);
  });

  it('retract exactly, and the append-only form gives the same results', () => {
    const top3 = agg('TOPK', [T.int(), T.int()], [3]).impl;
    const acc = addAll(top3, values);
    top3.retract(acc, 9);
    expect(top3.result(acc)).toEqual([7, 5, 5]);
    top3.retract(acc, 5);
    expect(top3.result(acc)).toEqual([7, 5, 1]);
    const appendOnly = top3.appendOnly!;
    expect(appendOnly.supportsRetract).toBe(false);
    const a = addAll(appendOnly, [5, 1, 9]);
    const b = addAll(appendOnly, [5, 7, 2]);
    appendOnly.merge(a, b);
    expect(appendOnly.result(checkpoint(appendOnly, a))).toEqual([9, 7, 5]);
    const d = agg('TOPKDISTINCT', [T.bigint(), T.int()], [2]).impl.appendOnly!;
    expect(d.result(addAll(d, [3, 3, 3, 1, 2]))).toEqual([3, 2]);
  });

  it('refuse a k that is not a positive integer literal', () => {
    expect(aggError('TOPK', [T.int(), T.int()], [0])).toBe('TOPK: k must be an integer literal of 1 or more, got 0');
    expect(aggError('TOPK', [T.int(), T.int()], [undefined])).toBe('TOPK: k must be an integer literal of 1 or more, got undefined');
    expect(aggError('TOPK', [T.int()])).toBe('TOPK expects 2 arguments (x, k), got 1');
    expect(aggError('TOPKDISTINCT', [T.array(T.int()), T.int()], [1])).toBe('TOPKDISTINCT cannot rank values of type ARRAY<INT>');
  });
});

describe('COUNT_DISTINCT', () => {
  it('counts distinct non-NULL values exactly, with retraction', () => {
    const r = agg('COUNT_DISTINCT', [T.string()]);
    expect(typeToString(r.type)).toBe('BIGINT NOT NULL');
    const acc = addAll(r.impl, ['a', 'b', 'b', null, 'c']);
    expect(r.impl.result(acc)).toBe(3);
    r.impl.retract(acc, 'b');
    expect(r.impl.result(acc)).toBe(3);
    r.impl.retract(acc, 'b');
    expect(r.impl.result(acc)).toBe(2);
  });
});
