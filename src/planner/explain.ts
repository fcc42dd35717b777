/**
 * EXPLAIN: renders logical and physical plans as deterministic text trees (no ids, no timings), in the
 * style of Flink's EXPLAIN (`+- ` for the last input, `:- ` for the others).
 */
import { typeToString } from '../common/types.js';
import { describeWindow } from '../common/window.js';
import { describeKsqlWindow } from '../common/ksql-window.js';
import { formatValue } from '../common/values.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { inputsOf, isSemiOrAnti, uniqueNames, type JoinType, type LogicalAggCall, type LogicalKsqlWindowAggregate, type LogicalPlan, type OverFrame, type SortKey } from './logical-plan.js';
import { physicalInputs, type Distribution, type PhysicalKind, type PhysicalNodeOf, type PhysicalPipeline, type PhysicalPlan } from './physical-plan.js';
import type { TableDef } from './catalog.js';
import { nodeId } from './node-id.js';
import { stateDescriptors } from './state-declarations.js';

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
      if (e.fn.startsWith('.') && e.args.length === 1) return `${sub(e.args[0]!)}.\`${e.fn.slice(1)}\``;
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

/** `rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=3], partitionBy=[k], orderBy=[v DESC], select=[..]`, as Flink prints it. */
function rankText(p: {
  readonly input: { readonly schema: readonly { name: string }[] };
  readonly rankType: string;
  readonly partitionKeys: readonly number[];
  readonly orderKeys: readonly SortKey[];
  readonly rankEnd?: number;
  readonly rankStart?: number;
  readonly outputRank?: boolean;
}): string {
  const inputNames = names(p.input);
  const range = p.rankEnd === undefined ? 'unbounded' : `rankStart=${p.rankStart ?? 1}, rankEnd=${p.rankEnd}`;
  const noRank = p.outputRank === false ? ', outputRankNumber=[false]' : '';
  return `rankType=[${p.rankType}], rankRange=[${range}], partitionBy=[${p.partitionKeys.map((k) => inputNames[k]).join(', ')}], orderBy=[${sortKeysText(p.orderKeys, inputNames)}]${noRank}`;
}

/** The window a window Top-N or deduplication runs per, and when its state goes: `window=[TUMBLE(..)], cleanup=[..]`. */
function windowRankText(p: PhysicalNodeOf<'WindowRank' | 'WindowDeduplicate'>): string {
  const inputNames = names(p.input);
  const time = p.window.time >= 0 ? inputNames[p.window.time] : `${inputNames[p.window.end]} - 1 ms`;
  return `window=[${describeWindow(p.window.spec)}], cleanup=[window's rows when watermark >= ${time}]`;
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
      return `LogicalAggregate(${window}group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}]${p.perRecord ? ', emit=[per record]' : ''})`;
    }
    case 'LogicalUnion':
      return 'LogicalUnion(all=[true])';
    case 'LogicalJoin':
      return `LogicalJoin(joinType=[${p.joinType}], condition=[${exprToString(p.condition, joinedNames(p))}]${p.nullAware ? ', nullAware=[true]' : ''}${p.temporal ? `, temporal=[${p.temporal.kind}, asOf=${names(p)[p.temporal.leftTime]}]` : ''})`;
    case 'LogicalLimit':
      return `LogicalLimit(offset=[${p.offset}], fetch=[${p.limit}])`;
    case 'LogicalSort':
      return `LogicalSort(orderBy=[${sortKeysText(p.keys, names(p))}])`;
    case 'LogicalRank':
      return `LogicalRank(${rankText(p)})`;
    case 'LogicalOverAggregate':
      return `LogicalOverAggregate(${overText(p)})`;
    case 'LogicalKsqlWindowAggregate':
      return `LogicalKsqlWindowAggregate(${ksqlWindowText(p)})`;
  }
}

/**
 * A node's stream properties: its changelog mode and upsert key, the unique key of an insert-only result,
 * its event-time columns and its window columns (see stream-properties.ts).
 */
function propertiesText(p: PhysicalPlan): string {
  const cols = (list: readonly number[]) => list.map((k) => (k < 0 ? '-' : p.schema[k]?.name)).join(', ');
  const parts: string[] = [];
  if (p.changelog.kind === 'insert-only') parts.push('changelog=[I]');
  else {
    const key = p.changelog.upsertKey;
    parts.push(`changelog=[I,UB,UA,D]${key && key.length > 0 ? `, upsertKey=[${cols(key)}]` : ''}`);
  }
  const { uniqueKey, rowtimes, windows } = p.props;
  if (p.changelog.kind === 'insert-only' && uniqueKey) parts.push(`uniqueKey=[${cols(uniqueKey)}]`);
  if (rowtimes.length > 0) parts.push(`rowtime=[${cols(rowtimes)}]`);
  for (const w of windows) parts.push(`window=[${describeWindow(w.spec)}: ${cols(w.time < 0 ? [w.start, w.end] : [w.start, w.end, w.time])}]`);
  return parts.join(', ');
}

/** A distribution as Flink prints it: `single`, `hash[user_id]`, `any`. */
function distributionText(d: Distribution, columns: readonly string[]): string {
  return d.kind === 'hash' ? `hash[${d.keys.map((k) => exprToString(k, columns)).join(', ')}]` : d.kind;
}

/** A table's OPTIONS hint, as `, hints=[OPTIONS('path'='b.csv')]` (empty without one). */
function hintText(table: TableDef): string {
  const dynamic = table.dynamicOptions;
  if (dynamic === undefined) return '';
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const pairs = Object.entries(dynamic).map(([k, v]) => `${quote(k)}=${quote(v)}`);
  return `, hints=[OPTIONS(${pairs.join(', ')})]`;
}

/** The node's declared state tables (see state-declarations.ts), as `, state=[windows, watermark]`. */
function stateText(p: PhysicalPlan): string {
  const state = stateDescriptors(p);
  return state.length ? `, state=[${state.map((d) => d.name).join(', ')}]` : '';
}

/** Each node kind's line: its configuration (its state and changelog are added by the caller). */
const PHYSICAL_LINE: { readonly [K in PhysicalKind]: (p: PhysicalNodeOf<K>) => string } = {
  TableSourceScan: (p) => {
    const wm = p.watermark ? `, watermark=[${exprToString(p.watermark.expr, p.table.columns.map((c) => c.name))}]` : '';
    const meta = p.metadata && p.metadata.keys.length > 0 ? `, metadata=[${p.metadata.keys.join(', ')}]` : '';
    return `TableSourceScan(table=[${p.table.name}], connector=[${p.table.options['connector']}], fields=[${names(p).join(', ')}]${meta}${wm}${hintText(p.table)})`;
  },
  Values: (p) => `Values(rows=[${p.rows.length}])`,
  Calc: (p) => `Calc(select=[${projection(p.projection, p.schema, names(p.input))}]${p.condition ? `, where=[${exprToString(p.condition, names(p.input))}]` : ''})`,
  WindowTableFunction: (p) => `WindowTableFunction(window=[${describeWindow(p.window)}], time=[${p.input.schema[p.timeIndex]!.name}])`,
  WindowAggregate: (p) => windowAggregateLine(p, describeWindow(p.window)),
  SessionWindowAggregate: (p) => windowAggregateLine(p, describeWindow({ kind: 'session', gap: p.gap })),
  GroupAggregate: (p) => {
    const inputNames = names(p.input);
    return `GroupAggregate(group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}]${p.perRecord ? ', emit=[per record]' : ''})`;
  },
  Union: () => 'Union(all=[true])',
  Join: (p) => joinLine(p),
  IntervalJoin: (p) => intervalJoinLine(p),
  WindowJoin: (p) => windowJoinLine(p),
  TemporalJoin: (p) => temporalJoinLine(p),
  LookupJoin: (p) => lookupJoinLine(p),
  Limit: (p) => `Limit(offset=[${p.offset}], fetch=[${p.limit}])`,
  Rank: (p) => `Rank(${rankText(p)})`,
  Deduplicate: (p) => `Deduplicate(keep=[FirstRow], key=[${p.partitionKeys.map((k) => names(p.input)[k]).join(', ')}], order=[ROWTIME ${names(p.input)[p.timeIndex]}])`,
  ChangelogNormalize: (p) => `ChangelogNormalize(key=[${p.keys.map((k) => names(p.input)[k]).join(', ')}])`,
  WindowRank: (p) => `WindowRank(${rankText(p)}, ${windowRankText(p)})`,
  WindowDeduplicate: (p) =>
    `WindowDeduplicate(keep=[${p.keepLast ? 'LastRow' : 'FirstRow'}], partitionBy=[${p.partitionKeys.map((k) => names(p.input)[k]).join(', ')}], order=[ROWTIME ${names(p.input)[p.timeIndex]}], ${windowRankText(p)})`,
  TemporalSort: (p) => `TemporalSort(orderBy=[${sortKeysText(p.keys, names(p))}])`,
  Exchange: (p) => `Exchange(distribution=[${distributionText(p.distribution, names(p.input))}])`,
  OverAggregate: (p) => `OverAggregate(${overText(p)}, cleanup=[${overCleanupText(p.frame, p.proctime)}])`,
  KsqlWindowAggregate: (p) => `KsqlWindowAggregate(${ksqlWindowText(p)})`,
};

/** A ksqlDB window aggregation's window, emit mode, record time (it runs on stream time), keys and aggregates. */
function ksqlWindowText(p: LogicalKsqlWindowAggregate | PhysicalNodeOf<'KsqlWindowAggregate'>): string {
  const inputNames = names(p.input);
  return `window=[${describeKsqlWindow(p.window)}], emit=[${p.emit}], streamTime=[max(${inputNames[p.timeIndex]})], group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}]`;
}

function windowAggregateLine(p: PhysicalNodeOf<'WindowAggregate' | 'SessionWindowAggregate'>, window: string): string {
  const inputNames = names(p.input);
  const time = p.kind === 'WindowAggregate' && p.windowEnd !== undefined ? 'windowEnd' : 'time';
  return `${p.kind}(window=[${window}], ${time}=[${inputNames[p.timeIndex]}], group=[${p.groupKeys.map((k) => inputNames[k]).join(', ')}], aggs=[${aggsText(p.aggs, inputNames)}])`;
}

/** One line describing a physical node, its configuration and its state. */
function physicalLine(p: PhysicalPlan): string {
  return (PHYSICAL_LINE[p.kind] as (p: PhysicalPlan) => string)(p) + stateText(p);
}

const JOIN_TYPE_NAMES = { inner: 'InnerJoin', left: 'LeftOuterJoin', right: 'RightOuterJoin', full: 'FullOuterJoin', semi: 'LeftSemiJoin', anti: 'LeftAntiJoin' } as const;

/**
 * The names of the row a join's condition reads, `[...left, ...right]`: the join's own output names, except
 * for a semi or anti join, whose output is the left columns only.
 */
function joinedNames(p: { readonly joinType: JoinType; readonly left: { readonly schema: readonly { name: string }[] }; readonly right: { readonly schema: readonly { name: string }[] }; readonly schema: readonly { name: string }[] }): string[] {
  if (!isSemiOrAnti(p.joinType)) return p.schema.map((f) => f.name);
  return uniqueNames([...p.left.schema, ...p.right.schema].map((f) => f.name));
}

/** A Join's line: its type, keys (how its state is partitioned) and residual condition. */
function joinLine(p: Extract<PhysicalPlan, { kind: 'Join' }>): string {
  const keys = (exprs: readonly BoundExpr[], input: PhysicalPlan) => exprs.map((e) => exprToString(e, names(input))).join(', ');
  const partitioning = p.leftKeys.length > 0 ? `leftKeys=[${keys(p.leftKeys, p.left)}], rightKeys=[${keys(p.rightKeys, p.right)}]` : 'keys=[none: one partition for all rows]';
  const residual = p.residual ? `, where=[${exprToString(p.residual, joinedNames(p))}]` : '';
  // A semi or anti join's state leaves only by idleness (as a regular join's): say so, as the time-driven joins print theirs.
  const cleanup = isSemiOrAnti(p.joinType) ? ', cleanup=[keys idle for table.exec.state.ttl]' : '';
  const nullAware = p.nullAware ? `, nullAware=[${exprToString(p.nullAware.left, names(p.left))} NOT IN ${exprToString(p.nullAware.right, names(p.right))}]` : '';
  return `Join(joinType=[${JOIN_TYPE_NAMES[p.joinType]}], ${partitioning}${residual}${nullAware}${cleanup})`;
}

/** An IntervalJoin's line: a Join's, plus the time columns and bounds that drive its cleanup. */
function intervalJoinLine(p: Extract<PhysicalPlan, { kind: 'IntervalJoin' }>): string {
  const { leftTime, rightTime, lower, upper } = p.bounds;
  const line = joinLine({ ...p, kind: 'Join' });
  const [l, r] = [names(p)[leftTime], names(p)[p.left.schema.length + rightTime]];
  const shift = (ms: number) => (ms < 0 ? `- ${-ms}` : `+ ${ms}`);
  // With ksqlDB's grace, a row stays until the watermark is past its window end plus the grace.
  const edge = (col: string | undefined, ms: number) => (p.grace === undefined ? `>= ${col} ${shift(ms)}` : `> ${col} ${shift(ms + p.grace)}`);
  const cleanup = `cleanup=[left row when watermark ${edge(l, -lower)} ms, right row when watermark ${edge(r, upper)} ms]`;
  const grace = p.grace === undefined ? '' : `, grace=${p.grace} ms`;
  return `IntervalJoin${line.slice('Join'.length, -1)}, bounds=[${lower} ms <= ${l} - ${r} <= ${upper} ms]${grace}, ${cleanup})`;
}

const WINDOW_JOIN_TYPE_NAMES = { ...JOIN_TYPE_NAMES, semi: 'LeftSemiJoin', anti: 'LeftAntiJoin' } as const;

/**
 * A WindowJoin's line: its type, its condition besides the window equalities (keys, then the residual),
 * each input's window columns, and its cleanup rule.
 */
function windowJoinLine(p: Extract<PhysicalPlan, { kind: 'WindowJoin' }>): string {
  const left = names(p.left);
  const right = names(p.right);
  const joined = [...left, ...right];
  const keys = p.leftKeys.map((k, i) => `(${exprToString(k, left)} = ${exprToString(p.rightKeys[i]!, right)})`);
  const where = [...keys, ...(p.residual ? [exprToString(p.residual, joined)] : [])];
  const window = (w: typeof p.leftWindow, cols: readonly string[]) => `${describeWindow(w.spec)}: ${cols[w.start]}, ${cols[w.end]}`;
  const nullAware = p.nullAware ? ', nullAware=[true]' : '';
  const cleanup = "cleanup=[a window's rows of both sides when watermark >= its window_end - 1 ms]";
  return `WindowJoin(joinType=[${WINDOW_JOIN_TYPE_NAMES[p.joinType]}]${nullAware}, where=[${where.length > 0 ? where.join(' AND ') : 'true'}], leftWindow=[${window(p.leftWindow, left)}], rightWindow=[${window(p.rightWindow, right)}], ${cleanup})`;
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
  return tree(plan, (p) => `${physicalLine(p)}, ${propertiesText(p)}`, physicalInputs);
}

/** The sink line of a pipeline. */
export function explainSink(pipeline: PhysicalPipeline): string {
  return pipeline.sink.kind === 'table'
    ? `Sink(table=[${pipeline.sink.table.name}], connector=[${pipeline.sink.table.options['connector']}], fields=[${pipeline.schema.map((f) => f.name).join(', ')}]${hintText(pipeline.sink.table)})`
    : `Collect(fields=[${pipeline.schema.map((f) => f.name).join(', ')}])`;
}

/**
 * The physical plans of a job's sinks. A node that several sinks (or several inputs) read is printed once,
 * marked `reuse_id=[n]`; where it appears again, `Reused(reference_id=[n])` stands for it (as Flink prints
 * a statement set).
 */
export function explainSinks(sinks: readonly PhysicalPipeline[]): string {
  const seen = new Map<string, number>();
  const count = (p: PhysicalPlan) => {
    const id = nodeId(p);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n === 1) physicalInputs(p).forEach(count);
  };
  sinks.forEach((s) => count(s.root));
  const reuseIds = new Map<string, number>();
  type Item = { node: PhysicalPlan; reference?: number };
  const item = (node: PhysicalPlan): Item => {
    const id = nodeId(node);
    const known = reuseIds.get(id);
    return known !== undefined ? { node, reference: known } : { node };
  };
  const line = ({ node, reference }: Item) => {
    if (reference !== undefined) return `Reused(reference_id=[${reference}])`;
    const id = nodeId(node);
    let text = `${physicalLine(node)}, ${propertiesText(node)}`;
    if ((seen.get(id) ?? 0) > 1) {
      const n = reuseIds.size + 1;
      reuseIds.set(id, n);
      text += `, reuse_id=[${n}]`;
    }
    return text;
  };
  const children = ({ node, reference }: Item) => (reference !== undefined ? [] : physicalInputs(node).map(item));
  return sinks
    .map((s) => `${explainSink(s)}\n${tree(item(s.root), line, children).split('\n').map((l, n) => (n === 0 ? `+- ${l}` : `   ${l}`)).join('\n')}`)
    .join('\n\n');
}

/**
 * The full EXPLAIN text: the plans as bound, as optimized, and the physical plans with their sinks (`sinks`
 * when the statements' pipelines were planned together into one job, see multi-sink.ts).
 */
export function explainPipelines(items: readonly { logical: LogicalPlan; optimized: LogicalPlan; pipeline: PhysicalPipeline }[], sinks?: readonly PhysicalPipeline[]): string {
  const section = (f: (i: (typeof items)[number]) => string) => items.map(f).join('\n\n');
  return (
    `== Abstract Syntax Tree ==\n${section((i) => explainLogical(i.logical))}\n\n` +
    `== Optimized Logical Plan ==\n${section((i) => explainLogical(i.optimized))}\n\n` +
    `== Optimized Physical Plan ==\n${explainSinks(sinks ?? items.map((i) => i.pipeline))}\n`
  );
}

/** `ROWS BETWEEN 2 PRECEDING AND CURRENT ROW`, `RANGE BETWEEN 3600000 ms PRECEDING ..`, `.. UNBOUNDED PRECEDING ..`. */
function frameText(frame: OverFrame): string {
  const start = frame.preceding === undefined ? 'UNBOUNDED' : frame.units === 'ROWS' ? `${frame.preceding}` : `${frame.preceding} ms`;
  return `${frame.units} BETWEEN ${start} PRECEDING AND CURRENT ROW`;
}

/** An OVER aggregation as Flink prints it: `partitionBy=[k], orderBy=[ts ASC], window=[..], select=[k, ts, v, SUM(v) AS w0$o0]`. */
function overText(p: { readonly input: { readonly schema: readonly { name: string }[] }; readonly partitionKeys: readonly number[]; readonly timeIndex: number; readonly frame: OverFrame; readonly aggs: readonly LogicalAggCall[]; readonly schema: readonly { name: string }[] }): string {
  const inputNames = names(p.input);
  const width = inputNames.length;
  const aggs = p.aggs.map((a, i) => `${aggsText([a], inputNames)} AS ${p.schema[width + i]!.name}`);
  return `partitionBy=[${p.partitionKeys.map((k) => inputNames[k]).join(', ')}], orderBy=[${inputNames[p.timeIndex]} ASC], window=[${frameText(p.frame)}], select=[${[...inputNames, ...aggs].join(', ')}]`;
}

/**
 * When an OverAggregate's state leaves: the waiting rows with the watermark; the frame by watermark (RANGE)
 * or idleness (ROWS, UNBOUNDED). On processing time nothing waits, and a RANGE frame's rows leave as newer
 * rows arrive, idle partitions with the TTL.
 */
function overCleanupText(frame: OverFrame, proctime: boolean): string {
  const idle = 'after table.exec.state.ttl without rows';
  if (proctime) {
    const kept = frame.preceding === undefined ? "a partition's accumulators" : frame.units === 'RANGE' ? `a partition's rows of the last ${frame.preceding} ms` : `a partition's last ${frame.preceding} rows`;
    return `${kept} ${idle}`;
  }
  const frameRule =
    frame.preceding === undefined
      ? `a partition's accumulators ${idle}`
      : frame.units === 'RANGE'
        ? `frame rows when watermark >= their time + ${frame.preceding} ms`
        : `a partition's last ${frame.preceding} rows ${idle}`;
  return `waiting rows when watermark >= their time, ${frameRule}`;
}

/** A TemporalJoin's line: a Join's, plus the AS OF time, the version time, and when left rows and versions leave state. */
function temporalJoinLine(p: PhysicalNodeOf<'TemporalJoin'>): string {
  const line = joinLine({ ...p, kind: 'Join' });
  const [l, r] = [names(p.left)[p.leftTime], names(p.right)[p.rightTime]];
  // ksqlDB's stream-table join goes by the stream's watermark (its stream time) alone.
  const watermark = p.streamTime === 'stream' ? 'the stream\'s watermark' : 'watermark';
  const cleanup = `cleanup=[left row when ${watermark} >= ${l} (joined then), right version when a newer version of its key is at or before the ${watermark}]`;
  return `TemporalJoin${line.slice('Join'.length, -1)}, asOf=[${l}], versionTime=[${r}]${p.streamTime ? `, streamTime=${p.streamTime}` : ''}, ${cleanup})`;
}

/** A LookupJoin's line: the table looked up, the keys, the residual condition and the cache. */
function lookupJoinLine(p: PhysicalNodeOf<'LookupJoin'>): string {
  const keys = p.leftKeys.map((e, i) => `${p.lookupKeys[i]}=${exprToString(e, names(p.input))}`).join(', ');
  const residual = p.residual ? `, where=[${exprToString(p.residual, names(p))}]` : '';
  const cache = (p.table.options['lookup.cache'] ?? 'NONE').toUpperCase();
  return `LookupJoin(table=[${p.table.name}], joinType=[${JOIN_TYPE_NAMES[p.joinType]}], lookup=[${keys}]${residual}, cache=[${cache}])`;
}
