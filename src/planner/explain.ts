/**
 * EXPLAIN: renders logical and physical plans as deterministic text trees (no ids, no timings), in the
 * style of Flink's EXPLAIN (`+- ` for the last input, `:- ` for the others).
 */
import { typeToString } from '../common/types.js';
import { describeWindow } from '../common/window.js';
import { formatValue } from '../common/values.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { inputsOf, type LogicalAggCall, type LogicalPlan, type SortKey } from './logical-plan.js';
import { physicalInputs, type PhysicalPipeline, type PhysicalPlan } from './physical-plan.js';

const INFIX = new Set(['+', '-', '*', '/', '%', '||', '=', '<>', '<', '<=', '>', '>=', 'LIKE', 'SIMILAR TO', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM']);

/**
 * An expression as SQL-like text. Column references are named from `columns` (the current names of the
 * input's columns) when given, so a plan rewritten by the optimizer still reads consistently.
 */
export function exprToString(e: BoundExpr, columns?: readonly string[]): string {
  const sub = (x: BoundExpr) => exprToString(x, columns);
  switch (e.kind) {
    case 'InputRef':
      return columns?.[e.index] ?? e.name;
    case 'LiteralValue':
      if (e.value === null) return 'NULL';
      if (e.type.name === 'STRING') return `'${String(e.value).replace(/'/g, "''")}'`;
      if (e.type.name === 'INTERVAL_DAY_TIME') return `INTERVAL '${e.value as number}' MILLISECOND`;
      if (e.type.name === 'TIMESTAMP' || e.type.name === 'DATE') return `${e.type.name} '${formatValue(e.value, e.type)}'`;
      return formatValue(e.value, e.type);
    case 'Call':
      if (e.castTo) return `${e.fn}(${sub(e.args[0]!)} AS ${typeToString(e.castTo)})`;
      if (INFIX.has(e.fn) && e.args.length === 2) return `(${sub(e.args[0]!)} ${e.fn} ${sub(e.args[1]!)})`;
      if (e.fn === 'NEGATE') return `-${sub(e.args[0]!)}`;
      return `${e.fn}(${e.args.map(sub).join(', ')})`;
    case 'AndExpr':
      return `(${e.args.map(sub).join(' AND ')})`;
    case 'OrExpr':
      return `(${e.args.map(sub).join(' OR ')})`;
    case 'NotExpr':
      return `NOT(${sub(e.operand)})`;
    case 'IsNullExpr':
      return `${sub(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL`;
    case 'CaseWhen':
      return `CASE ${e.whens.map((w) => `WHEN ${sub(w.when)} THEN ${sub(w.then)}`).join(' ')}${e.otherwise ? ` ELSE ${sub(e.otherwise)}` : ''} END`;
    case 'InValues':
      return `${sub(e.operand)} ${e.negated ? 'NOT IN' : 'IN'} (${e.list.map(sub).join(', ')})`;
  }
}

function projection(exprs: readonly BoundExpr[], names: readonly { name: string }[], columns: readonly string[]): string {
  return exprs
    .map((e, i) => {
      const text = exprToString(e, columns);
      const name = names[i]?.name;
      return name && name !== text ? `${text} AS ${name}` : text;
    })
    .join(', ');
}

function aggsText(aggs: readonly LogicalAggCall[], inputNames: readonly string[]): string {
  return aggs.map((a) => a.display.replace(/\$(\d+)/g, (_, i: string) => inputNames[Number(i)] ?? `$${i}`)).join(', ');
}

function sortKeysText(keys: readonly SortKey[], columns: readonly string[]): string {
  return keys.map((k) => `${columns[k.index]} ${k.descending ? 'DESC' : 'ASC'}`).join(', ');
}

function names(plan: { schema: readonly { name: string }[] }): string[] {
  return plan.schema.map((f) => f.name);
}

/** One line describing a logical node. */
function logicalLine(p: LogicalPlan): string {
  switch (p.kind) {
    case 'LogicalScan':
      return `LogicalScan(table=[${p.table.name}], fields=[${names(p).join(', ')}]${p.watermark ? `, watermark=[${exprToString(p.watermark.expr, p.table.columns.map((c) => c.name))}]` : ''})`;
    case 'LogicalValues':
      return `LogicalValues(tuples=[${p.rows.map((r) => `(${r.map((e) => exprToString(e)).join(', ')})`).join(', ')}])`;
    case 'LogicalProject':
      return `LogicalProject(${projection(p.exprs, p.schema, names(p.input))})`;
    case 'LogicalFilter':
      return `LogicalFilter(condition=[${exprToString(p.condition, names(p.input))}])`;
    case 'LogicalWindowTableFunction':
      return `LogicalWindowTableFunction(window=[${describeWindow(p.window)}], time=[${p.input.schema[p.timeIndex]!.name}])`;
    case 'LogicalAggregate': {
      const inputNames = names(p.input);
      const window = p.window ? `window=[${describeWindow(p.window.spec)}], time=[${inputNames[p.window.timeIndex]}], ` : '';
      return `LogicalAggregate(${window}group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}])`;
    }
    case 'LogicalUnion':
      return 'LogicalUnion(all=[true])';
    case 'LogicalJoin':
      return `LogicalJoin(joinType=[${p.joinType}], condition=[${exprToString(p.condition, names(p))}])`;
    case 'LogicalLimit':
      return `LogicalLimit(offset=[${p.offset}], fetch=[${p.limit}])`;
    case 'LogicalSort':
      return `LogicalSort(orderBy=[${sortKeysText(p.keys, names(p))}])`;
  }
}

function changelogText(p: PhysicalPlan): string {
  if (p.changelog.kind === 'insert-only') return 'changelog=[I]';
  const key = p.changelog.upsertKey;
  return `changelog=[I,UB,UA,D]${key && key.length > 0 ? `, upsertKey=[${key.map((k) => p.schema[k]?.name).join(', ')}]` : ''}`;
}

/** One line describing a physical node, its configuration and state tables. */
function physicalLine(p: PhysicalPlan): string {
  switch (p.kind) {
    case 'TableSourceScan': {
      const wm = p.watermark ? `, watermark=[${exprToString(p.watermark.expr, p.table.columns.map((c) => c.name))}]` : '';
      return `TableSourceScan(table=[${p.table.name}], connector=[${p.table.options['connector']}], fields=[${names(p).join(', ')}]${wm})`;
    }
    case 'Values':
      return `Values(rows=[${p.rows.length}])`;
    case 'Calc':
      return `Calc(select=[${projection(p.projection, p.schema, names(p.input))}]${p.condition ? `, where=[${exprToString(p.condition, names(p.input))}]` : ''})`;
    case 'WindowTableFunction':
      return `WindowTableFunction(window=[${describeWindow(p.window)}], time=[${p.input.schema[p.timeIndex]!.name}])`;
    case 'WindowAggregate':
    case 'SessionWindowAggregate': {
      const inputNames = names(p.input);
      const window = p.kind === 'WindowAggregate' ? describeWindow(p.window) : describeWindow({ kind: 'session', gap: p.gap });
      return `${p.kind}(window=[${window}], time=[${inputNames[p.timeIndex]}], group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}], state=[windows])`;
    }
    case 'GroupAggregate': {
      const inputNames = names(p.input);
      return `GroupAggregate(group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}], state=[groups])`;
    }
    case 'Union':
      return 'Union(all=[true])';
    case 'Join':
      return joinLine(p);
    case 'Limit':
      return `Limit(offset=[${p.offset}], fetch=[${p.limit}])`;
    case 'TemporalSort':
      return `TemporalSort(orderBy=[${sortKeysText(p.keys, names(p))}], state=[buffered rows])`;
  }
}

const JOIN_TYPE_NAMES = { inner: 'InnerJoin', left: 'LeftOuterJoin', right: 'RightOuterJoin', full: 'FullOuterJoin' } as const;

/** A Join's line: its type, keys (how its state is partitioned), residual condition and state tables. */
function joinLine(p: Extract<PhysicalPlan, { kind: 'Join' }>): string {
  const keys = (exprs: readonly BoundExpr[], input: PhysicalPlan) => exprs.map((e) => exprToString(e, names(input))).join(', ');
  const partitioning = p.leftKeys.length > 0 ? `leftKeys=[${keys(p.leftKeys, p.left)}], rightKeys=[${keys(p.rightKeys, p.right)}]` : 'keys=[none: one partition for all rows]';
  const residual = p.residual ? `, where=[${exprToString(p.residual, names(p))}]` : '';
  return `Join(joinType=[${JOIN_TYPE_NAMES[p.joinType]}], ${partitioning}${residual}, state=[left rows, right rows])`;
}

function tree<T>(root: T, line: (n: T) => string, children: (n: T) => readonly T[]): string {
  const out: string[] = [];
  const walk = (n: T, prefix: string, connector: string): void => {
    out.push(prefix + connector + line(n));
    const kids = children(n);
    const childPrefix = prefix + (connector === '' ? '' : connector === '+- ' ? '   ' : ':  ');
    kids.forEach((k, i) => walk(k, childPrefix, i === kids.length - 1 ? '+- ' : ':- '));
  };
  walk(root, '', '');
  return out.join('\n');
}

/** The logical plan as a tree. */
export function explainLogical(plan: LogicalPlan): string {
  return tree(plan, logicalLine, inputsOf);
}

/** The physical plan as a tree, each node with its changelog mode. */
export function explainPhysical(plan: PhysicalPlan): string {
  return tree(plan, (p) => `${physicalLine(p)}, ${changelogText(p)}`, physicalInputs);
}

/** The sink line of a pipeline. */
export function explainSink(pipeline: PhysicalPipeline): string {
  return pipeline.sink.kind === 'table'
    ? `Sink(table=[${pipeline.sink.table.name}], connector=[${pipeline.sink.table.options['connector']}], fields=[${pipeline.schema.map((f) => f.name).join(', ')}])`
    : `Collect(fields=[${pipeline.schema.map((f) => f.name).join(', ')}])`;
}

/** The full EXPLAIN text: the plans as bound, as optimized, and the physical plans with their sinks. */
export function explainPipelines(items: readonly { logical: LogicalPlan; optimized: LogicalPlan; pipeline: PhysicalPipeline }[]): string {
  const section = (f: (i: (typeof items)[number]) => string) => items.map(f).join('\n\n');
  const physical = section(
    (i) => `${explainSink(i.pipeline)}\n${explainPhysical(i.pipeline.root).split('\n').map((l, n) => (n === 0 ? `+- ${l}` : `   ${l}`)).join('\n')}`,
  );
  return (
    `== Abstract Syntax Tree ==\n${section((i) => explainLogical(i.logical))}\n\n` +
    `== Optimized Logical Plan ==\n${section((i) => explainLogical(i.optimized))}\n\n` +
    `== Optimized Physical Plan ==\n${physical}\n`
  );
}
