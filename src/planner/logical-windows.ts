/**
 * The window columns of a logical plan's output, and how a join condition pairs two inputs' windows (the
 * shape of a window join). The logical counterpart of the physical nodes' window properties
 * (stream-properties.ts): the binder needs it to know, before planning, whether a join will be a window join
 * (whose output keeps `window_time` as a time attribute). The physical planner decides again from the
 * physical properties, which are the authority (window-join-rule.ts).
 */
import type { WindowSpec } from '../common/window.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { conjuncts } from './expr-utils.js';
import type { JoinType, LogicalPlan } from './logical-plan.js';

/** The join types of a window join: a regular join's, plus SEMI and ANTI (whose output is the left row). */
export type WindowJoinType = JoinType | 'semi' | 'anti';

/** Output columns holding one window's `window_start`, `window_end` and `window_time` (-1: not in the output). */
export interface WindowColumns {
  readonly spec: WindowSpec;
  readonly start: number;
  readonly end: number;
  readonly time: number;
  /** Set when the windows align to a zone's wall clock (physical plans only). */
  readonly timeZone?: string;
}

/** Where a projection passes column `col` on unchanged (the first such output column), or -1. */
function passedTo(exprs: readonly BoundExpr[], col: number): number {
  return exprs.findIndex((e) => e.kind === 'InputRef' && e.index === col);
}

/**
 * The windows (TUMBLE, HOP, CUMULATE) whose start and end columns a logical plan's output carries: from a
 * window TVF, a window aggregation (also `GROUP BY window_start, window_end, ..` over a TVF), or a window
 * join, through projections and filters that pass the columns on.
 */
export function logicalWindows(plan: LogicalPlan): WindowColumns[] {
  switch (plan.kind) {
    case 'LogicalWindowTableFunction': {
      const below = logicalWindows(plan.input);
      if (plan.window.kind === 'session') return below;
      const w = plan.input.schema.length;
      return [...below, { spec: plan.window, start: w, end: w + 1, time: w + 2 }];
    }
    case 'LogicalProject': {
      const out: WindowColumns[] = [];
      for (const w of logicalWindows(plan.input)) {
        const start = passedTo(plan.exprs, w.start);
        const end = passedTo(plan.exprs, w.end);
        if (start >= 0 && end >= 0) out.push({ spec: w.spec, start, end, time: w.time < 0 ? -1 : passedTo(plan.exprs, w.time) });
      }
      return out;
    }
    case 'LogicalFilter':
      return logicalWindows(plan.input);
    case 'LogicalAggregate': {
      if (plan.window) {
        if (plan.window.spec.kind === 'session') return [];
        const n = plan.groupKeys.length + plan.aggs.length;
        return [{ spec: plan.window.spec, start: n, end: n + 1, time: n + 2 }];
      }
      const keys = plan.groupKeys;
      return logicalWindows(plan.input)
        .filter((w) => keys.includes(w.start) && keys.includes(w.end))
        .map((w) => ({ spec: w.spec, start: keys.indexOf(w.start), end: keys.indexOf(w.end), time: w.time < 0 ? -1 : keys.indexOf(w.time) }));
    }
    case 'LogicalJoin': {
      if (!plan.window) return [];
      const width = plan.left.schema.length;
      const shift = (w: WindowColumns): WindowColumns => ({ ...w, start: w.start + width, end: w.end + width, time: w.time < 0 ? -1 : w.time + width });
      return windowJoinOutputWindows(plan.joinType, logicalWindows(plan.left), logicalWindows(plan.right).map(shift));
    }
    default:
      return [];
  }
}

/**
 * The windows a window join's output carries: those of each side that is never null-padded (the left one of
 * an INNER, LEFT, SEMI or ANTI join, the right one of an INNER or RIGHT join; a FULL join's window columns
 * may be NULL on either side). `right` is already shifted to the joined row.
 */
export function windowJoinOutputWindows<W>(type: WindowJoinType, left: readonly W[], right: readonly W[]): W[] {
  const out: W[] = [];
  if (type !== 'right' && type !== 'full') out.push(...left);
  if (type === 'inner' || type === 'right') out.push(...right);
  return out;
}

/** How a window join pairs its inputs' windows: the windows, and the condition's other conjuncts. */
export interface WindowJoinMatch<W extends WindowColumns> {
  readonly left: W;
  /** A window of the right input (columns of the right row). */
  readonly right: W;
  /** The conjuncts of the condition other than the two window equalities (over the joined row). */
  readonly rest: readonly BoundExpr[];
}

/** Whether `e` is `a = b` of the columns `a` and `b` of the joined row, in either order. */
function equates(e: BoundExpr, a: number, b: number): boolean {
  if (e.kind !== 'Call' || e.fn !== '=' || e.args.length !== 2) return false;
  const [x, y] = e.args as [BoundExpr, BoundExpr];
  if (x.kind !== 'InputRef' || y.kind !== 'InputRef') return false;
  return (x.index === a && y.index === b) || (x.index === b && y.index === a);
}

const sameWindows = (a: WindowColumns, b: WindowColumns) => JSON.stringify([a.spec, a.timeZone ?? null]) === JSON.stringify([b.spec, b.timeZone ?? null]);

/**
 * The window join shape (Flink's rule): both inputs carry windows of the same TVF (kind, size, slide, step,
 * offset) and the condition's conjuncts include `l.window_start = r.window_start` and
 * `l.window_end = r.window_end` of them. Undefined for any other join (which stays a regular one).
 */
export function matchWindowJoin<W extends WindowColumns>(condition: BoundExpr, left: readonly W[], right: readonly W[], leftWidth: number): WindowJoinMatch<W> | undefined {
  const parts = conjuncts(condition);
  for (const l of left) {
    for (const r of right) {
      if (!sameWindows(l, r)) continue;
      const startAt = parts.findIndex((c) => equates(c, l.start, leftWidth + r.start));
      const endAt = parts.findIndex((c) => equates(c, l.end, leftWidth + r.end));
      if (startAt < 0 || endAt < 0) continue;
      return { left: l, right: r, rest: parts.filter((_, i) => i !== startAt && i !== endAt) };
    }
  }
  return undefined;
}

/**
 * The columns of a window join's output (`[...left, ...right]`) that stay time attributes: the `window_time`
 * of the windows both inputs carry with the same TVF (the rows of a window come out when the watermark
 * reaches it, like a window aggregate's). Every other time attribute is dropped, as for a regular join.
 */
export function windowJoinTimeColumns(left: LogicalPlan, right: LogicalPlan): Set<number> {
  const l = logicalWindows(left);
  const r = logicalWindows(right);
  const out = new Set<number>();
  for (const a of l) for (const b of r) {
    if (!sameWindows(a, b)) continue;
    if (a.time >= 0) out.add(a.time);
    if (b.time >= 0) out.add(left.schema.length + b.time);
  }
  return out;
}
