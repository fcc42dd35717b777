/**
 * Stream properties, derived once per node kind, in one place: when a physical node is built
 * ({@link physicalNode}), its unique key, event-time columns, watermark columns, window columns and
 * distribution are computed from its configuration and its inputs' properties. Everything downstream reads
 * `node.props` instead of working the facts out again.
 */
import type { Field } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import { replaceInputRefs } from './expr-utils.js';
import { windowJoinOutputWindows } from './logical-windows.js';
import {
  SINGLE,
  type Distribution,
  type ExchangeNode,
  type PhysicalKind,
  type PhysicalNodeOf,
  type PhysicalPlan,
  type StreamProperties,
  type Unpropertied,
  type WindowProperty,
} from './physical-plan.js';

/** Output columns that are event-time attributes. */
function rowtimesOf(schema: readonly Field[]): number[] {
  const out: number[] = [];
  schema.forEach((f, i) => f.type.timeAttribute === 'rowtime' && out.push(i));
  return out;
}

/** Where a projection passes input column `col` on unchanged (the first such output column), or -1. */
function passedTo(exprs: readonly BoundExpr[], col: number): number {
  return exprs.findIndex((e) => e.kind === 'InputRef' && e.index === col);
}

/** Input columns mapped through a projection; undefined when one of them is not passed on. */
function mapAll(cols: readonly number[] | undefined, exprs: readonly BoundExpr[]): number[] | undefined {
  if (cols === undefined) return undefined;
  const out: number[] = [];
  for (const c of cols) {
    const to = passedTo(exprs, c);
    if (to < 0) return undefined;
    out.push(to);
  }
  return out;
}

/** Input columns mapped through a projection, keeping those passed on. */
function mapSome(cols: readonly number[], exprs: readonly BoundExpr[]): number[] {
  return cols.map((c) => passedTo(exprs, c)).filter((c) => c >= 0);
}

/** Window properties through a projection: a window stays visible while its start and end are passed on. */
function mapWindows(windows: readonly WindowProperty[], exprs: readonly BoundExpr[]): WindowProperty[] {
  const out: WindowProperty[] = [];
  for (const w of windows) {
    const start = passedTo(exprs, w.start);
    const end = passedTo(exprs, w.end);
    if (start < 0 || end < 0) continue;
    const time = w.time < 0 ? -1 : passedTo(exprs, w.time);
    const partitionKeys = w.partitionKeys?.map((k) => (k < 0 ? -1 : passedTo(exprs, k)));
    out.push({ ...w, start, end, time, ...(partitionKeys ? { partitionKeys } : {}) });
  }
  return out;
}

/** A distribution through a projection: hash keys are kept while every column they read is passed on. */
function mapDistribution(d: Distribution, exprs: readonly BoundExpr[]): Distribution {
  if (d.kind !== 'hash') return d;
  let lost = false;
  const keys = d.keys.map((k) =>
    replaceInputRefs(k, (ref) => {
      const to = passedTo(exprs, ref.index);
      if (to < 0) lost = true;
      return { ...ref, index: to };
    }),
  );
  return lost ? { kind: 'any' } : { kind: 'hash', keys };
}

/** The key of an updating result, when its changelog names one (insert-only results need none). */
function changelogKey(n: Unpropertied<PhysicalPlan>): readonly number[] | undefined {
  return n.changelog.kind === 'updating' ? n.changelog.upsertKey : undefined;
}

/** Properties of a window aggregation's output: `[...keys, ...aggs, window_start, window_end, window_time]`. */
function windowAggregateProps(n: Unpropertied<PhysicalNodeOf<'WindowAggregate' | 'SessionWindowAggregate'>>): StreamProperties {
  const k = n.groupKeys.length;
  const start = k + n.aggs.length;
  const window: WindowProperty = {
    spec: n.kind === 'WindowAggregate' ? n.window : { kind: 'session', gap: n.gap },
    start,
    end: start + 1,
    time: start + 2,
    ...(n.kind === 'SessionWindowAggregate' ? { partitionKeys: n.groupKeys.map((_, i) => i) } : {}),
    ...(n.timeZone ? { timeZone: n.timeZone } : {}),
  };
  const keys = n.groupKeys.map((_, i) => i);
  return {
    uniqueKey: [...keys, start, start + 1],
    rowtimes: rowtimesOf(n.schema),
    watermarkColumns: [start, start + 1, start + 2],
    windows: [window],
    distribution: keyDistribution(keys, n.schema),
  };
}

/**
 * Properties of a window join's output: the window columns of each side that is never null-padded (see
 * windowJoinOutputWindows), which the watermark bounds as a window aggregate's do.
 */
function windowJoinProps(n: Unpropertied<PhysicalNodeOf<'WindowJoin'>>): StreamProperties {
  const width = n.left.schema.length;
  const right = n.rightWindow;
  const shifted: WindowProperty = { ...right, start: right.start + width, end: right.end + width, time: right.time < 0 ? -1 : right.time + width };
  const windows = windowJoinOutputWindows(n.joinType, [n.leftWindow], [shifted]);
  const watermarkColumns = windows.flatMap((w) => (w.time < 0 ? [w.start, w.end] : [w.start, w.end, w.time]));
  return { uniqueKey: undefined, rowtimes: rowtimesOf(n.schema), watermarkColumns, windows, distribution: { kind: 'any' } };
}

/** A reference to column `c` of a row with this schema. */
function columnRef(schema: readonly Field[], c: number): BoundExpr {
  return { kind: 'InputRef', index: c, type: schema[c]!.type, name: schema[c]!.name };
}

/** Hash on these columns, or single when there are none. */
function keyDistribution(cols: readonly number[], schema: readonly Field[]): Distribution {
  return cols.length === 0 ? SINGLE : { kind: 'hash', keys: cols.map((c) => columnRef(schema, c)) };
}

/** The input's properties, for nodes that pass rows (and columns) on as they are. */
function sameAsInput(n: { readonly input: PhysicalPlan }): StreamProperties {
  return n.input.props;
}

/**
 * Properties of a window Top-N or deduplication: the input's columns as they were (window columns, time
 * attributes), the rank maybe appended; keyed by the partition keys and the rank (ROW_NUMBER with the rank
 * column), or by the partition keys alone (deduplication).
 */
function windowRankProps(n: Unpropertied<PhysicalNodeOf<'WindowRank' | 'WindowDeduplicate'>>): StreamProperties {
  const input = n.input.props;
  const w = n.window;
  const rankColumn = n.outputRank ? [n.input.schema.length] : undefined;
  const uniqueKey = n.kind === 'WindowDeduplicate' ? n.partitionKeys : n.rankType === 'ROW_NUMBER' && rankColumn ? [...n.partitionKeys, ...rankColumn] : undefined;
  return {
    uniqueKey,
    rowtimes: rowtimesOf(n.schema),
    watermarkColumns: [w.start, w.end, w.time].filter((c) => c >= 0),
    windows: input.windows,
    distribution: keyDistribution(n.partitionKeys, n.schema),
  };
}

type Deriver<K extends PhysicalKind> = (n: Unpropertied<PhysicalNodeOf<K>>) => StreamProperties;

/** How each node kind derives its properties. */
const DERIVE: { readonly [K in PhysicalKind]: Deriver<K> } = {
  TableSourceScan: (n) => {
    const rowtime = n.watermark ? n.projection.indexOf(n.watermark.rowtimeIndex) : -1;
    return { uniqueKey: changelogKey(n), rowtimes: rowtimesOf(n.schema), watermarkColumns: rowtime >= 0 ? [rowtime] : [], windows: [], distribution: SINGLE };
  },
  Values: (n) => ({ uniqueKey: undefined, rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: SINGLE }),
  Calc: (n) => {
    const input = n.input.props;
    return {
      uniqueKey: mapAll(input.uniqueKey, n.projection),
      rowtimes: rowtimesOf(n.schema),
      watermarkColumns: mapSome(input.watermarkColumns, n.projection),
      windows: mapWindows(input.windows, n.projection),
      distribution: mapDistribution(input.distribution, n.projection),
    };
  },
  WindowTableFunction: (n) => {
    const input = n.input.props;
    const width = n.input.schema.length;
    const window: WindowProperty = {
      spec: n.window,
      start: width,
      end: width + 1,
      time: width + 2,
      ...(n.partitionKeys ? { partitionKeys: n.partitionKeys } : {}),
      ...(n.timeZone ? { timeZone: n.timeZone } : {}),
    };
    return {
      uniqueKey: undefined,
      rowtimes: rowtimesOf(n.schema),
      watermarkColumns: [...input.watermarkColumns, width, width + 1, width + 2],
      windows: [...input.windows, window],
      distribution: input.distribution,
    };
  },
  WindowAggregate: windowAggregateProps,
  SessionWindowAggregate: windowAggregateProps,
  GroupAggregate: (n) => {
    const keys = n.groupKeys.map((_, i) => i);
    return { uniqueKey: keys, rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: keyDistribution(keys, n.schema) };
  },
  Union: (n) => ({ uniqueKey: changelogKey(n), rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: { kind: 'any' } }),
  Join: (n) => ({ uniqueKey: changelogKey(n), rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: { kind: 'any' } }),
  IntervalJoin: (n) => ({ uniqueKey: undefined, rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: { kind: 'any' } }),
  WindowJoin: windowJoinProps,
  // Each left row joins at most one version, and rows leave in the order of the left time, behind the watermark.
  TemporalJoin: (n) => ({ uniqueKey: n.left.props.uniqueKey, rowtimes: rowtimesOf(n.schema), watermarkColumns: n.left.props.watermarkColumns.filter((c) => c === n.leftTime), windows: [], distribution: { kind: 'any' } }),
  LookupJoin: (n) => ({ uniqueKey: changelogKey(n) ?? n.input.props.uniqueKey, rowtimes: rowtimesOf(n.schema), watermarkColumns: n.input.props.watermarkColumns, windows: n.input.props.windows, distribution: n.input.props.distribution }),
  Limit: (n) => ({ ...sameAsInput(n), uniqueKey: changelogKey(n) }),
  // ROW_NUMBER up to 1 keeps one row per partition: the partition keys alone identify it (a versioned view's key).
  Rank: (n) => ({ uniqueKey: n.rankType === 'ROW_NUMBER' && n.rankEnd === 1 ? [...n.partitionKeys] : changelogKey(n), rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: keyDistribution(n.partitionKeys, n.schema) }),
  Deduplicate: (n) => ({ uniqueKey: n.partitionKeys, rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: keyDistribution(n.partitionKeys, n.schema) }),
  // The last row per primary key: the key identifies a row; rows go out when they arrive, times in any order.
  ChangelogNormalize: (n) => ({ uniqueKey: n.keys, rowtimes: rowtimesOf(n.schema), watermarkColumns: [], windows: [], distribution: keyDistribution(n.keys, n.schema) }),
  WindowRank: windowRankProps,
  WindowDeduplicate: windowRankProps,
  TemporalSort: (n) => ({ ...sameAsInput(n), uniqueKey: changelogKey(n), distribution: SINGLE }),
  Exchange: (n) => ({ ...sameAsInput(n), distribution: n.distribution }),
  // Each input row goes out once, in time order, with columns appended: the input's keys, times and windows hold.
  OverAggregate: (n) => ({ ...sameAsInput(n), distribution: keyDistribution(n.partitionKeys, n.schema) }),
  // `[...keys, ...aggs, WINDOWSTART, WINDOWEND, ROWTIME]`: a row per key and window (sessions: and end). Its
  // window columns are plain BIGINTs on stream time, not Flink window columns the watermark bounds.
  KsqlWindowAggregate: (n) => {
    const keys = n.groupKeys.map((_, i) => i);
    const start = keys.length + n.aggs.length;
    return {
      uniqueKey: n.window.type === 'SESSION' ? [...keys, start, start + 1] : [...keys, start],
      rowtimes: rowtimesOf(n.schema),
      watermarkColumns: [],
      windows: [],
      distribution: keyDistribution(keys, n.schema),
    };
  },
};

/** Derives a node's stream properties from its configuration and its inputs' properties. */
function deriveProperties(n: Unpropertied<PhysicalPlan>): StreamProperties {
  return (DERIVE[n.kind] as (n: Unpropertied<PhysicalPlan>) => StreamProperties)(n);
}

/** Builds a physical node: its fields plus its derived properties. Every physical node is made here. */
export function physicalNode<T extends PhysicalPlan>(n: Unpropertied<T>): T {
  return { ...n, props: deriveProperties(n as Unpropertied<PhysicalPlan>) } as unknown as T;
}

/** Repartitions `input` by its columns `keys` for the keyed operator above it (by none: one partition). */
export function exchangeOn(input: PhysicalPlan, keys: readonly number[]): ExchangeNode {
  return exchangeBy(input, keys.map((c) => columnRef(input.schema, c)));
}

/** Repartitions `input` by a hash of key expressions over its row (by none: one partition). */
export function exchangeBy(input: PhysicalPlan, keys: readonly BoundExpr[]): ExchangeNode {
  const distribution: Distribution = keys.length === 0 ? SINGLE : { kind: 'hash', keys };
  return physicalNode<ExchangeNode>({ kind: 'Exchange', input, distribution, schema: input.schema, changelog: input.changelog });
}
