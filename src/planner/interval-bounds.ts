/**
 * Recognizes an interval join's time bounds (Flink's interval join): conjuncts of a join condition that
 * compare an event-time (rowtime) attribute of the left input with one of the right input, each side
 * optionally shifted by a constant day-time INTERVAL — `l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts +
 * INTERVAL '1' HOUR`, or the same with `>`, `>=`, `<`, `<=` (either side first). Together they must bound
 * `l.ts - r.ts` from below and from above: `lower <= l.ts - r.ts <= upper` (milliseconds; a strict bound
 * is one millisecond tighter, event times being TIMESTAMP(3)). Conjuncts on other time columns, or that
 * are not of this form, are not bounds (they stay conditions checked on each pair).
 */
import type { Field } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjuncts } from './expr-utils.js';

/** The bounds of an interval join: `lower <= left[leftTime] - right[rightTime] <= upper`. */
export interface IntervalBounds {
  /** The left input's time attribute (a column of the left row). */
  readonly leftTime: number;
  /** The right input's time attribute (a column of the right row). */
  readonly rightTime: number;
  /** Milliseconds; `lower <= upper`. */
  readonly lower: number;
  readonly upper: number;
}

/** A rowtime column of the joined row plus a constant (ms). */
interface Shifted {
  readonly col: number;
  readonly offset: number;
}

function intervalLiteral(e: BoundExpr): number | undefined {
  return e.kind === 'LiteralValue' && e.type.name === 'INTERVAL_DAY_TIME' && typeof e.value === 'number' ? e.value : undefined;
}

/** `col`, `col + i`, `i + col` or `col - i` for a rowtime column `col` and a constant day-time interval `i`. */
function shifted(e: BoundExpr, fields: readonly Field[]): Shifted | undefined {
  if (e.kind === 'InputRef') return fields[e.index]?.type.timeAttribute === 'rowtime' ? { col: e.index, offset: 0 } : undefined;
  if (e.kind !== 'Call' || e.args.length !== 2 || (e.fn !== '+' && e.fn !== '-')) return undefined;
  const [a, b] = e.args as [BoundExpr, BoundExpr];
  const ib = intervalLiteral(b);
  if (ib !== undefined) {
    const inner = shifted(a, fields);
    return inner && { col: inner.col, offset: inner.offset + (e.fn === '+' ? ib : -ib) };
  }
  const ia = intervalLiteral(a);
  if (ia !== undefined && e.fn === '+') {
    const inner = shifted(b, fields);
    return inner && { col: inner.col, offset: inner.offset + ia };
  }
  return undefined;
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * The interval bounds of `condition` (over `[...left, ...right]`; `fields` are the inputs' fields with their
 * time attributes, left then right), or undefined when it has no lower and upper bound on one pair of
 * rowtime columns.
 */
export function intervalBounds(condition: BoundExpr, fields: readonly Field[], leftWidth: number): IntervalBounds | undefined {
  let pair: [number, number] | undefined;
  let lower = -Infinity;
  let upper = Infinity;
  for (const c of conjuncts(condition)) {
    if (c.kind !== 'Call' || c.args.length !== 2 || FLIPPED[c.fn] === undefined) continue;
    let x = shifted(c.args[0]!, fields);
    let y = shifted(c.args[1]!, fields);
    if (!x || !y) continue;
    let op = c.fn;
    if (x.col >= leftWidth && y.col < leftWidth) {
      [x, y] = [y, x];
      op = FLIPPED[op]!;
    }
    if (!(x.col < leftWidth && y.col >= leftWidth)) continue;
    if (pair && (pair[0] !== x.col || pair[1] !== y.col)) continue;
    pair = [x.col, y.col];
    // l + a OP r + b  <=>  l - r OP b - a
    const bound = y.offset - x.offset;
    if (op === '>=') lower = Math.max(lower, bound);
    else if (op === '>') lower = Math.max(lower, bound + 1);
    else if (op === '<=') upper = Math.min(upper, bound);
    else upper = Math.min(upper, bound - 1);
  }
  if (!pair || lower === -Infinity || upper === Infinity || lower > upper) return undefined;
  return { leftTime: pair[0], rightTime: pair[1] - leftWidth, lower, upper };
}
