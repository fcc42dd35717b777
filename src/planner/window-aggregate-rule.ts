/**
 * window-aggregate-rule: a GROUP BY whose keys include the `window_start` and `window_end` of one window
 * (as the input's window properties say — through views, subqueries and CTEs, wherever the window TVF
 * was written) is a window aggregation, as in Flink: it emits each window's final row once the watermark
 * passes it, and its state is dropped with the window. The window TVF is merged into the aggregation
 * (which assigns the windows itself, slice by slice), and the projections and filters between them are
 * kept, without the window columns.
 *
 * It applies when nothing between the TVF and the aggregation computes with the window columns (they are
 * only passed on) and the aggregate calls do not read them; otherwise the GROUP BY stays a non-windowed
 * (updating) aggregation, which is still correct.
 */
import { EddyError, ErrorCode } from '../common/errors.js';
import { asTimeAttribute, type Field } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { inputRefs, replaceInputRefs } from './expr-utils.js';
import type { LogicalAggCall, LogicalAggregate } from './logical-plan.js';
import {
  INSERT_ONLY,
  type CalcNode,
  type PhysicalPlan,
  type SessionWindowAggregateNode,
  type WindowAggregateNode,
  type WindowProperty,
  type WindowTableFunctionNode,
} from './physical-plan.js';
import { exchangeOn, physicalNode } from './stream-properties.js';

type WindowColumn = 'start' | 'end' | 'time';

/** What a column of a node above the TVF becomes once the TVF is merged: a column of the rewritten node, or a window column. */
type Column = { readonly kind: 'column'; readonly index: number } | { readonly kind: 'window'; readonly which: WindowColumn };

/** A node above the TVF rewritten without the window columns. */
interface Stripped {
  readonly node: PhysicalPlan;
  /** For each output column of the original node. */
  readonly columns: readonly Column[];
  /** The rewritten node's column holding the rows' event time (the TVF's time column). */
  readonly timeIndex: number;
  /** For each column of the rewritten node: the TVF input column it passes on unchanged, if it does. */
  readonly origin: readonly (number | undefined)[];
  readonly tvf: WindowTableFunctionNode;
}

/** Rewrites `p` (a chain of Calcs over the TVF whose window columns are `window`) without the TVF, or undefined. */
function strip(p: PhysicalPlan, window: WindowProperty): Stripped | undefined {
  if (p.kind === 'WindowTableFunction') {
    const width = p.input.schema.length;
    if (window.start !== width || window.end !== width + 1) return undefined;
    const columns: Column[] = p.input.schema.map((_, i) => ({ kind: 'column', index: i }));
    columns.push({ kind: 'window', which: 'start' }, { kind: 'window', which: 'end' }, { kind: 'window', which: 'time' });
    return { node: p.input, columns, timeIndex: p.timeIndex, origin: p.input.schema.map((_, i) => i), tvf: p };
  }
  if (p.kind !== 'Calc') return undefined;
  const ref = (col: number) => p.projection[col];
  const asInput = (col: number) => {
    const e = ref(col);
    return e?.kind === 'InputRef' ? e.index : -1;
  };
  const inner = p.input.props.windows.find((w) => w.start === asInput(window.start) && w.end === asInput(window.end));
  if (!inner) return undefined;
  const below = strip(p.input, inner);
  if (!below) return undefined;
  const readsWindow = (e: BoundExpr) => [...inputRefs(e)].some((i) => below.columns[i]!.kind === 'window');
  const remap = (e: BoundExpr) => replaceInputRefs(e, (r) => ({ ...r, index: (below.columns[r.index] as { index: number }).index }));
  if (p.condition && readsWindow(p.condition)) return undefined;
  const projection: BoundExpr[] = [];
  const fields: Field[] = [];
  const origin: (number | undefined)[] = [];
  const columns: Column[] = [];
  for (let i = 0; i < p.projection.length; i++) {
    const e = p.projection[i]!;
    const passed = e.kind === 'InputRef' ? below.columns[e.index]! : undefined;
    if (passed?.kind === 'window') {
      columns.push(passed);
      continue;
    }
    if (readsWindow(e)) return undefined;
    columns.push({ kind: 'column', index: projection.length });
    origin.push(e.kind === 'InputRef' ? below.origin[(passed as { index: number }).index] : undefined);
    projection.push(remap(e));
    fields.push({ name: p.schema[i]!.name, type: e.type });
  }
  // The event time travels up to the aggregation, whether or not the query selected it.
  const time = below.node.schema[below.timeIndex]!;
  const timeIndex = projection.push({ kind: 'InputRef', index: below.timeIndex, type: time.type, name: time.name }) - 1;
  fields.push({ name: time.name, type: time.type });
  origin.push(below.origin[below.timeIndex]);
  const condition = p.condition ? { condition: remap(p.condition) } : {};
  const node = physicalNode<CalcNode>({ kind: 'Calc', input: below.node, projection, ...condition, schema: fields, changelog: below.node.changelog });
  return { node, columns, timeIndex, origin, tvf: below.tvf };
}

/**
 * The window aggregation a non-windowed aggregation over window columns is (see the file comment), with a
 * projection back to the aggregation's own column order; undefined when the rule does not apply.
 */
export function windowAggregateRule(plan: LogicalAggregate, input: PhysicalPlan): PhysicalPlan | undefined {
  const window = input.props.windows.find((w) => plan.groupKeys.includes(w.start) && plan.groupKeys.includes(w.end));
  if (!window || input.changelog.kind !== 'insert-only') return undefined;
  const stripped = strip(input, window);
  if (!stripped) return windowedInputAggregate(plan, input, window);
  const { columns, tvf } = stripped;
  const column = (i: number) => columns[i]!;
  // Group keys other than the window's, as columns of the rewritten input.
  const keys: number[] = [];
  for (const k of plan.groupKeys) {
    const c = column(k);
    if (c.kind === 'column') keys.push(c.index);
  }
  const argColumn = (i: number): number | undefined => {
    if (i < 0) return -1;
    const c = column(i);
    return c.kind === 'column' ? c.index : undefined;
  };
  const aggs: LogicalAggCall[] = [];
  for (const a of plan.aggs) {
    const argIndex = argColumn(a.argIndex);
    const filterIndex = argColumn(a.filterIndex);
    if (argIndex === undefined || filterIndex === undefined) return undefined;
    aggs.push({ ...a, impl: a.impl.appendOnly ?? a.impl, argIndex, filterIndex });
  }
  const spec = window.spec;
  if (spec.kind === 'session') {
    const partition = [...(tvf.partitionKeys ?? [])].sort((a, b) => a - b);
    const grouped = keys.map((k) => stripped.origin[k] ?? -1).sort((a, b) => a - b);
    if (grouped.length !== partition.length || grouped.some((k, i) => k !== partition[i])) {
      throw new EddyError({
        code: ErrorCode.INVALID_WINDOW,
        message: 'The GROUP BY keys of a SESSION window aggregation must be exactly its PARTITION BY columns',
        span: plan.span,
        hint: 'SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), gap) ... GROUP BY window_start, window_end, k',
      });
    }
  }
  const rewritten = stripped.node;
  const windowFields = tvf.schema.slice(tvf.schema.length - 3);
  const keyFields = keys.map((k) => rewritten.schema[k]!);
  const aggFields = plan.aggs.map((_, i) => plan.schema[plan.groupKeys.length + i]!);
  const schema = [...keyFields, ...aggFields, ...windowFields];
  const common = { input: exchangeOn(rewritten, keys), timeIndex: stripped.timeIndex, timeZone: tvf.timeZone, groupKeys: keys, aggs, schema, changelog: INSERT_ONLY };
  const aggregate: PhysicalPlan =
    spec.kind === 'session'
      ? physicalNode<SessionWindowAggregateNode>({ kind: 'SessionWindowAggregate', gap: spec.gap, ...common })
      : physicalNode<WindowAggregateNode>({ kind: 'WindowAggregate', window: spec, ...common });
  // Back to the aggregation's column order: its group keys (window columns among them), then its calls.
  const at = (i: number): BoundExpr => ({ kind: 'InputRef', index: i, type: schema[i]!.type, name: schema[i]!.name });
  const windowAt = { start: keys.length + aggs.length, end: keys.length + aggs.length + 1, time: keys.length + aggs.length + 2 };
  let nextKey = 0;
  const projection: BoundExpr[] = plan.groupKeys.map((k) => {
    const c = column(k);
    return c.kind === 'window' ? at(windowAt[c.which]) : at(nextKey++);
  });
  plan.aggs.forEach((_, i) => projection.push(at(keys.length + i)));
  return physicalNode<CalcNode>({ kind: 'Calc', input: aggregate, projection, schema: plan.schema, changelog: INSERT_ONLY });
}

/**
 * `GROUP BY window_start, window_end, ..` over an input already windowed by a window aggregate or a window
 * join (Flink's window aggregation over a windowed input, as Nexmark q5 computes the maximum count per
 * window): each row is in one window, named by its window columns, so the aggregation fires each window
 * once the watermark passes it without assigning windows again. Undefined for a SESSION window, or when
 * an aggregate call reads a window column.
 */
function windowedInputAggregate(plan: LogicalAggregate, input: PhysicalPlan, window: WindowProperty): PhysicalPlan | undefined {
  const spec = window.spec;
  if (spec.kind === 'session') return undefined;
  const isWindowColumn = (i: number) => i === window.start || i === window.end || (window.time >= 0 && i === window.time);
  if (plan.aggs.some((a) => isWindowColumn(a.argIndex) || isWindowColumn(a.filterIndex))) return undefined;
  const keys = plan.groupKeys.filter((k) => !isWindowColumn(k));
  const rowtime = window.time >= 0 ? input.schema[window.time]!.type : asTimeAttribute({ ...input.schema[window.end]!.type, nullable: false }, 'rowtime');
  const windowFields: Field[] = [
    { name: 'window_start', type: input.schema[window.start]!.type },
    { name: 'window_end', type: input.schema[window.end]!.type },
    { name: 'window_time', type: rowtime },
  ];
  const aggFields = plan.aggs.map((_, i) => plan.schema[plan.groupKeys.length + i]!);
  const schema = [...keys.map((k) => input.schema[k]!), ...aggFields, ...windowFields];
  const aggregate = physicalNode<WindowAggregateNode>({
    kind: 'WindowAggregate',
    window: spec,
    input: exchangeOn(input, keys),
    timeIndex: window.end,
    windowEnd: window.end,
    ...(window.timeZone ? { timeZone: window.timeZone } : {}),
    groupKeys: keys,
    aggs: plan.aggs.map((a) => ({ ...a, impl: a.impl.appendOnly ?? a.impl })),
    schema,
    changelog: INSERT_ONLY,
  });
  // Back to the aggregation's column order: its group keys (window columns among them), then its calls.
  const at = (i: number): BoundExpr => ({ kind: 'InputRef', index: i, type: schema[i]!.type, name: schema[i]!.name });
  const w = keys.length + plan.aggs.length;
  let nextKey = 0;
  const projection: BoundExpr[] = plan.groupKeys.map((k) => at(k === window.start ? w : k === window.end ? w + 1 : k === window.time ? w + 2 : nextKey++));
  plan.aggs.forEach((_, i) => projection.push(at(keys.length + i)));
  return physicalNode<CalcNode>({ kind: 'Calc', input: aggregate, projection, schema: plan.schema, changelog: INSERT_ONLY });
}
