/**
 * The state each physical node kind keeps, declared statically: one place that EXPLAIN prints, that the
 * runtime holds operators to (an operator can open only the tables its node declares), and that the
 * restore fingerprint hashes. A job's state is named `<node id>/<table>`.
 */
import { typeToString, type Field } from '../common/types.js';
import type { BoundExpr } from '../expr/bound-expr.js';
import type { LogicalAggCall } from './logical-plan.js';
import type { PhysicalKind, PhysicalNodeOf, PhysicalPlan } from './physical-plan.js';

/**
 * How entries leave a table: when the watermark passes them (windows, buffered rows), after
 * `table.exec.state.ttl` of idleness (non-windowed aggregates, regular joins), or never (single values).
 */
export type StateCleanup = 'watermark' | 'ttl' | 'never';

/** One state table (key → value, optionally in namespaces) or value state (one value) of an operator. */
export interface StateDescriptor {
  /** The name the operator opens it by; stored as `<node id>/<name>`. */
  readonly name: string;
  readonly kind: 'table' | 'value';
  /** The types of what a table is keyed by (or a description); empty for a value. Not EXPLAIN's words: the fingerprint hashes it. */
  readonly key: readonly string[];
  /** What a table's namespaces are, when it has them (`window end`). */
  readonly namespace?: string;
  /** What is stored per key (or in the value): aggregate calls as the binder names them (`SUM($1)`), or a description. */
  readonly value: readonly string[];
  readonly cleanup: StateCleanup;
}

function table(name: string, key: readonly string[], value: readonly string[], cleanup: StateCleanup, namespace?: string): StateDescriptor {
  return { name, kind: 'table', key, ...(namespace ? { namespace } : {}), value, cleanup };
}

function value(name: string, what: string): StateDescriptor {
  return { name, kind: 'value', key: [], value: [what], cleanup: 'never' };
}

function columns(schema: readonly Field[], indexes: readonly number[]): string[] {
  return indexes.map((i) => typeToString(schema[i]!.type));
}

function exprs(list: readonly BoundExpr[]): string[] {
  return list.map((e) => typeToString(e.type));
}

function aggs(list: readonly LogicalAggCall[]): string[] {
  return list.map((a) => a.display);
}

const INPUTS = value('inputs', "each input's watermark and end");

/**
 * The state of the keyed event-time timer service (src/runtime/timer-service.ts) that every time-driven
 * operator uses: its timers, removed as they fire (the operator's own under their time; a key's under the
 * key, in a namespace by kind), and the operator's current watermark.
 */
function timers(owner: string): StateDescriptor[] {
  return [
    table('timers', [`timer key: the time of ${owner}, or a key`], ['the timer times of the key'], 'watermark', "'' (the operator's timers) or the kind of a key's timers"),
    value('watermark', 'the current watermark'),
  ];
}

/** Each node kind's state. */
const STATE: { readonly [K in PhysicalKind]: (p: PhysicalNodeOf<K>) => readonly StateDescriptor[] } = {
  TableSourceScan: () => [value('watermarks', "each split's watermark")],
  Values: () => [value('watermarks', "each split's watermark")],
  Calc: () => [],
  WindowTableFunction: () => [],
  // Window contents by slice (HOP and CUMULATE windows are assembled from slices when they fire).
  WindowAggregate: (p) => [
    table('slices', columns(p.input.schema, p.groupKeys), ['accumulators of one slice', ...aggs(p.aggs)], 'watermark', 'slice end (the window end where a window is one slice)'),
    value('seq', 'the next slice entry number'),
    ...timers('a window'),
  ],
  SessionWindowAggregate: (p) => [
    table('sessions', columns(p.input.schema, p.groupKeys), ['open sessions: start, end and accumulators', ...aggs(p.aggs)], 'watermark'),
    value('seq', 'the next session number'),
    ...timers('a key\'s earliest session end'),
  ],
  GroupAggregate: (p) => [table('groups', columns(p.input.schema, p.groupKeys), ['row count', ...aggs(p.aggs)], 'ttl'), value('watermark', 'the last watermark forwarded')],
  Union: () => [INPUTS],
  Join: (p) =>
    p.nullAware
      ? [
          // NullAwareAntiJoin (runtime/operators/null-aware-anti-join.ts): rows found by value, in a namespace per join key.
          table('left', exprs([p.nullAware.left]), ['left rows with this value (or NULL), with their counts'], 'ttl', p.leftKeys.length > 0 ? `the join key (${exprs(p.leftKeys).join(', ')})` : undefined),
          table('right', exprs([p.nullAware.right]), ['the number of right rows with this value'], 'ttl', p.rightKeys.length > 0 ? `the join key (${exprs(p.rightKeys).join(', ')})` : undefined),
          table('counts', exprs(p.rightKeys), ['the numbers of right rows, and of right rows whose value is NULL'], 'ttl'),
          INPUTS,
        ]
      : p.joinType === 'semi' || p.joinType === 'anti'
      ? [
          // A semi or anti join (runtime/operators/semi-anti-join.ts): whether a left row is out depends on its number of matches.
          table('left', exprs(p.leftKeys), [p.residual ? 'left rows with their counts and their numbers of matching right rows' : 'left rows with their counts'], 'ttl'),
          table('right', exprs(p.rightKeys), ['right rows with their counts'], 'ttl'),
          INPUTS,
        ]
      : [
          table('left', exprs(p.leftKeys), ['left rows with their counts and matches'], 'ttl'),
          table('right', exprs(p.rightKeys), ['right rows with their counts and matches'], 'ttl'),
          INPUTS,
        ],
  IntervalJoin: (p) => [
    table('left', exprs(p.leftKeys), [`left rows (and whether matched), until the watermark reaches their time - ${p.bounds.lower} ms${graceText(p.grace)}`], 'watermark'),
    table('right', exprs(p.rightKeys), [`right rows (and whether matched), until the watermark reaches their time + ${p.bounds.upper} ms${graceText(p.grace)}`], 'watermark'),
    INPUTS,
    ...timers("a key's rows' cleanup"),
  ],
  WindowJoin: (p) => [
    table('left', ['window start', ...exprs(p.leftKeys)], ["the left rows of a window and key, until the watermark reaches the window's window_time"], 'watermark', 'window end'),
    table('right', ['window start', ...exprs(p.rightKeys)], ["the right rows of a window and key, until the watermark reaches the window's window_time"], 'watermark', 'window end'),
    INPUTS,
    ...timers('a window'),
  ],
  TemporalJoin: (p) => [
    table('left', exprs(p.leftKeys), ['left rows waiting for the watermark to pass their time, in time order'], 'watermark'),
    table('right', exprs(p.rightKeys), ['versions by version time (a delete ends one); older than the newest at or before the watermark: dropped'], 'watermark'),
    INPUTS,
    ...timers("a key's earliest waiting left row"),
  ],
  // Looked up as rows come: nothing kept (the optional cache is not state: it is refilled after a restore).
  LookupJoin: () => [],
  Limit: () => [value('seen', 'rows seen'), value('done', 'whether the limit was reached')],
  // Every row of a partition when the input is updating (a retracted top row is replaced from the rest); only the top rankEnd otherwise.
  Rank: (p) => [
    table('partitions', columns(p.input.schema, p.partitionKeys), [p.input.changelog.kind === 'updating' ? 'all rows of the partition, sorted, with counts' : `the top ${p.rankEnd} rows of the partition, sorted`], 'ttl'),
    value('watermark', 'the last watermark forwarded'),
  ],
  Deduplicate: (p) => [
    table('keys', columns(p.input.schema, p.partitionKeys), ['the earliest row waiting for the watermark, or that the first row was emitted'], 'ttl'),
    ...timers("a key's earliest row"),
  ],
  ChangelogNormalize: (p) => [table('rows', columns(p.input.schema, p.keys), ['the last row of the key'], 'ttl')],
  WindowRank: (p) => [
    table('windows', columns(p.input.schema, p.partitionKeys), [`the top ${p.rankEnd} rows of the partition in the window, sorted`], 'watermark', 'window time (window_end - 1)'),
    ...timers('a window'),
  ],
  WindowDeduplicate: (p) => [
    table('rows', columns(p.input.schema, p.partitionKeys), [`the ${p.keepLast ? 'last' : 'first'} row of the key in the window`], 'watermark', 'window time (window_end - 1)'),
    ...timers('a window'),
  ],
  TemporalSort: (p) => [table('rows', [`${typeToString(p.input.schema[p.timeIndex]!.type)} (event time)`], ['rows buffered until the watermark passes them'], 'watermark'), ...timers('the earliest buffered row')],
  Exchange: () => [],
  // Rows wait by partition and time (not on processing time); the frame keeps what later rows still aggregate (see over-aggregate.ts).
  // ksqlDB's windows, closed and purged on stream time (the largest record time seen), which the timer service keeps.
  KsqlWindowAggregate: (p) => [
    p.window.type === 'SESSION'
      ? table('sessions', columns(p.input.schema, p.groupKeys), ['open sessions: start, end (last event time) and accumulators', ...aggs(p.aggs)], 'watermark')
      : table('windows', columns(p.input.schema, p.groupKeys), ['accumulators and latest event time of one window', ...aggs(p.aggs)], 'watermark', 'window start'),
    table('timers', ['timer key: a window close or purge time, or a key'], ['the timer times of the key'], 'watermark', "'' (windows' timers) or 's' (a key's session timers)"),
    value('watermark', 'the stream time (the largest record time seen)'),
  ],
  OverAggregate: (p) => [
    ...(p.proctime ? [] : [table('pending', columns(p.input.schema, p.partitionKeys), ['rows waiting for the watermark, in arrival order'], 'watermark', 'event time')]),
    p.frame.preceding === undefined
      ? table('frame', columns(p.input.schema, p.partitionKeys), ['accumulators', ...aggs(p.aggs)], 'ttl')
      : table(
          'frame',
          columns(p.input.schema, p.partitionKeys),
          [p.frame.units === 'ROWS' ? `the last ${p.frame.preceding} rows` : `the rows of the last ${p.frame.preceding} ms`, 'accumulators', ...aggs(p.aggs)],
          p.frame.units === 'ROWS' || p.proctime ? 'ttl' : 'watermark',
        ),
    ...(p.proctime ? [] : timers("a partition's waiting rows (and, for RANGE frames, its frame's cleanup)")),
  ],
};

/** The state a node declares. */
export function stateDescriptors(p: PhysicalPlan): readonly StateDescriptor[] {
  return (STATE[p.kind] as (p: PhysicalPlan) => readonly StateDescriptor[])(p);
}

/** The part of an interval join's state description that ksqlDB's grace adds. */
function graceText(grace: number | undefined): string {
  return grace === undefined ? '' : ` and then passes it by the grace (${grace} ms)`;
}
