/**
 * Stable node ids, derived from a plan's structure (not from a counter): a node's id hashes its kind, its
 * configuration, its output schema and its inputs' ids. The same subplan has the same id wherever it
 * appears — so the plans of a statement set's sinks share their common nodes by id — and the id does not
 * depend on the order nodes were planned or on how EXPLAIN words them. State is named `<node id>/<table>`.
 */
import { createHash } from 'node:crypto';
import type { TableDef } from './catalog.js';
import type { LogicalAggCall } from './logical-plan.js';
import { physicalInputs, type PhysicalKind, type PhysicalNodeOf, type PhysicalPlan } from './physical-plan.js';

/** What identifies an aggregate call: its text and which implementation variant runs it (their state differs). */
function aggIdentity(a: LogicalAggCall): unknown {
  // Whether it may be merged from slices decides how a window aggregate keeps its state (by slice or by window).
  return [a.display, a.argIndex, a.filterIndex, a.impl.appendOnly ? 'retracting' : 'plain', a.impl.flat ? 'flat' : 'object', a.impl.orderInsensitive ? 'sliceable' : 'by-window'];
}

/**
 * What identifies a table for a plan: its name, connector, columns and event time. Not its other WITH
 * options: reading the same table at another replay speed, or from a moved file, is the same plan over the
 * same state (as in Flink, where a source's options are not part of its operator's identity).
 *
 * A statement's `/*+ OPTIONS(...) *\/` hint is, though (and only when there is one, so ids without hints
 * stay as they were): one job may read a table twice with different hints (`t JOIN t /*+ OPTIONS('path' =
 * 'b.csv') *\/`), and those are two sources, not one shared read; and a hint is part of the statement, so
 * a job whose hint changed is a changed job, whose old state is refused like that of any changed SQL.
 */
export function tableIdentity(t: TableDef): unknown {
  const identity = [t.name, t.options['connector'] ?? null, t.columns.map((c) => [c.name, c.type, c.computed !== undefined, ...(c.metadata ? [c.metadata] : [])]), t.watermark ?? null, t.primaryKey ?? null];
  return t.dynamicOptions === undefined ? identity : [...identity, sortedEntries(t.dynamicOptions)];
}

/** A record's entries sorted by key: the same options in another order are the same options. */
export function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The configuration of each node kind that decides what it computes (inputs and properties excluded). */
const CONFIG: { readonly [K in PhysicalKind]: (p: PhysicalNodeOf<K>) => unknown } = {
  TableSourceScan: (p) => [tableIdentity(p.table), p.projection, p.computed, p.watermark ?? null, p.filters ?? null, ...(p.metadata ? [p.metadata.keys] : [])],
  Values: (p) => [p.rows],
  Calc: (p) => [p.projection, p.condition ?? null],
  WindowTableFunction: (p) => [p.window, p.timeIndex, p.partitionKeys ?? null, p.timeZone ?? null],
  WindowAggregate: (p) => [p.window, p.timeIndex, p.timeZone ?? null, p.groupKeys, p.aggs.map(aggIdentity), ...(p.windowEnd === undefined ? [] : [p.windowEnd])],
  SessionWindowAggregate: (p) => [p.gap, p.timeIndex, p.timeZone ?? null, p.groupKeys, p.aggs.map(aggIdentity)],
  GroupAggregate: (p) => [p.groupKeys, p.aggs.map(aggIdentity), p.input.changelog.kind, ...(p.perRecord ? ['per record'] : [])],
  Union: () => [],
  Join: (p) => [p.joinType, p.leftKeys, p.rightKeys, p.residual ?? null, ...(p.nullAware ? [p.nullAware] : [])],
  IntervalJoin: (p) => [p.joinType, p.leftKeys, p.rightKeys, p.residual ?? null, p.bounds, p.grace ?? null],
  WindowJoin: (p) => [p.joinType, p.leftKeys, p.rightKeys, p.residual ?? null, p.leftWindow, p.rightWindow, p.nullAware ?? false],
  TemporalJoin: (p) => [p.joinType, p.leftKeys, p.rightKeys, p.residual ?? null, p.leftTime, p.rightTime, p.streamTime ?? null],
  LookupJoin: (p) => [p.joinType, tableIdentity(p.table), p.projection, p.computed, p.leftKeys, p.lookupKeys, p.residual ?? null],
  Limit: (p) => [p.limit, p.offset],
  Rank: (p) => [p.rankType, p.partitionKeys, p.orderKeys, p.rankEnd, p.input.changelog.kind, ...(p.rankStart !== undefined || p.outputRank === false ? [p.rankStart ?? 1, p.outputRank ?? true] : [])],
  Deduplicate: (p) => [p.partitionKeys, p.timeIndex, ...(p.outputRank === false ? [false] : [])],
  ChangelogNormalize: (p) => [p.keys],
  WindowRank: (p) => [p.rankType, p.partitionKeys, p.orderKeys, p.rankEnd, p.outputRank, p.window.spec],
  WindowDeduplicate: (p) => [p.partitionKeys, p.timeIndex, p.keepLast, p.outputRank, p.window.spec],
  TemporalSort: (p) => [p.timeIndex, p.keys],
  Exchange: (p) => [p.distribution],
  KsqlWindowAggregate: (p) => [p.window, p.emit, p.timeIndex, p.groupKeys, p.aggs.map(aggIdentity)],
  OverAggregate: (p) => [p.partitionKeys, p.timeIndex, p.proctime, p.frame, p.aggs.map(aggIdentity)],
};

/** JSON of plan data without what does not define it: functions (implementations) and source spans. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === 'function' || key === 'span') return undefined;
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

const ids = new WeakMap<PhysicalPlan, string>();

/** The node's stable id: `<Kind>-<10 hex digits>`, e.g. `WindowAggregate-3f9a1c02d4`. */
export function nodeId(p: PhysicalPlan): string {
  let id = ids.get(p);
  if (id === undefined) {
    const config = (CONFIG[p.kind] as (p: PhysicalPlan) => unknown)(p);
    const hash = createHash('sha256')
      .update(p.kind)
      .update('\n')
      .update(stableJson([config, p.schema, p.changelog]))
      .update('\n')
      .update(physicalInputs(p).map(nodeId).join(','))
      .digest('hex');
    id = `${p.kind}-${hash.slice(0, 10)}`;
    ids.set(p, id);
  }
  return id;
}
