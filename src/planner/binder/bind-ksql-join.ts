/**
 * Binds ksqlDB's joins — a join whose sides are both ksqlDB streams or tables (`TableDef.ksql`), or any join
 * with a `WITHIN` — onto Eddy's join operators, with ksqlDB's rules and error messages:
 *
 * - stream-stream (INNER, LEFT, RIGHT, FULL OUTER) needs `WITHIN n | (before, after) [GRACE PERIOD g]` and
 *   becomes an interval join on the sides' record times (their event-time attributes, ROWTIME's):
 *   `right.t BETWEEN left.t - before AND left.t + after`; rows stay until stream time passes their window
 *   plus the grace (ksqlDB's default 24 hours), when outer joins emit the unmatched ones null-padded.
 * - stream-table (INNER, LEFT) joins each stream record with the table's row as of the record's time (an
 *   event-time temporal join: the table is versioned by its ROWTIME); the ON condition must compare the
 *   table's primary key. Table updates emit nothing.
 * - table-table (INNER, LEFT, RIGHT, FULL) is Eddy's regular, updating join; the ON condition must compare the
 *   right table's primary key (a primary-key or foreign-key join, as ksqlDB allows).
 * - table-stream, stream-table FULL/RIGHT, WITHIN on a join with a table, a stream-stream join without
 *   WITHIN, USING or no ON: refused with ksqlDB's wording, at the clause they are about.
 * - The output has a hidden `ROWTIME` (BIGINT ms) when the inputs have one: the stream's (stream-table), the
 *   later of both (stream-stream and table-table: the preserved side's for a null-padded row). The sides'
 *   own ROWTIMEs stay reachable qualified (`s.ROWTIME`).
 */
import type * as ast from '../../parser/ast.js';
import { T, withNullable, type Field } from '../../common/types.js';
import { EddyError, ErrorCode, type Span } from '../../common/errors.js';
import type { BoundExpr } from '../../expr/bound-expr.js';
import { conjunction } from '../expr-utils.js';
import { splitJoinCondition } from '../join-keys.js';
import { joinFields, uniqueNames, type JoinType, type LogicalJoin, type LogicalPlan } from '../logical-plan.js';
import type { BinderContext } from './binder-context.js';
import { ExprBinder } from './bind-expr.js';
import { literal } from './literals.js';
import { Scope, sameName, type ScopeColumn } from './scope.js';

/** A bound FROM item: its plan and scope. */
interface Bound {
  readonly plan: LogicalPlan;
  readonly scope: Scope;
}

/** What a side of a ksqlDB join is. */
type KsqlKind = 'STREAM' | 'TABLE';

/** ksqlDB's default GRACE PERIOD of a stream-stream join without one: 24 hours (JoinWindows.of). */
export const KSQL_DEFAULT_JOIN_GRACE_MS = 24 * 3_600_000;

const JOIN_TYPES: Record<ast.JoinRef['joinType'], JoinType> = { INNER: 'inner', CROSS: 'inner', LEFT: 'left', RIGHT: 'right', FULL: 'full' };

/** ksqlDB's spelling of a join type in its messages. */
const KSQL_JOIN_TYPE: Record<ast.JoinRef['joinType'], string> = { INNER: '[INNER] JOIN', CROSS: '[INNER] JOIN', LEFT: 'LEFT [OUTER] JOIN', RIGHT: 'RIGHT [OUTER] JOIN', FULL: '[FULL] OUTER JOIN' };

/**
 * Whether a plan reads a ksqlDB stream or table, and which: a scan of one, a ksqlDB join's output (a table
 * when both sides are tables, else a stream), through projections and filters. Undefined for anything else.
 */
export function ksqlKind(plan: LogicalPlan): KsqlKind | undefined {
  switch (plan.kind) {
    case 'LogicalScan':
      return plan.table.ksql?.objectType;
    case 'LogicalProject':
    case 'LogicalFilter':
      return ksqlKind(plan.input);
    case 'LogicalJoin': {
      const [l, r] = [ksqlKind(plan.left), ksqlKind(plan.right)];
      if (l === undefined || r === undefined) return undefined;
      return l === 'TABLE' && r === 'TABLE' ? 'TABLE' : 'STREAM';
    }
    default:
      return undefined;
  }
}

/** True when a join is ksqlDB's: it has a WITHIN, or both its sides are ksqlDB streams or tables. */
export function isKsqlJoin(join: ast.JoinRef, left: LogicalPlan, right: LogicalPlan): boolean {
  return join.within !== undefined || (ksqlKind(left) !== undefined && ksqlKind(right) !== undefined);
}

function ksqlError(message: string, span: Span, hint?: string): never {
  throw new EddyError({ code: ErrorCode.UNSUPPORTED, message, span, hint });
}

/** The name ksqlDB's messages give a side: its source's name (a scan's table), else its alias; upper-case as ksqlDB's. */
function sourceName(plan: LogicalPlan, ref: ast.TableRef): string {
  return sideName(plan, ref).toUpperCase();
}

function sideName(plan: LogicalPlan, ref: ast.TableRef): string {
  if (plan.kind === 'LogicalScan') return plan.table.name;
  if (plan.kind === 'LogicalProject' || plan.kind === 'LogicalFilter') return sideName(plan.input, ref);
  if (ref.kind === 'TableName') return ref.alias?.name ?? ref.name.parts.map((p) => p.name).join('.');
  return ref.kind === 'JoinRef' ? 'the join' : (ref.alias?.name ?? 'the subquery');
}

/** The primary key of a side that scans a table (its PRIMARY KEY, else its ksqlDB key columns), as output columns. */
function primaryKey(plan: LogicalPlan): number[] | undefined {
  if (plan.kind !== 'LogicalScan') return undefined;
  const names = plan.table.primaryKey ?? plan.table.ksql?.keyColumns;
  if (!names || names.length === 0) return undefined;
  const key = names.map((name) => plan.projection.findIndex((c) => plan.table.columns[c]!.name === name));
  return key.every((k) => k >= 0) ? key : undefined;
}

/** The side's record time: its one event-time attribute (a ksqlDB source's is its ROWTIME's). */
function recordTime(side: Bound, name: string, span: Span): number {
  const times = side.plan.schema.flatMap((f, i) => (f.type.timeAttribute === 'rowtime' ? [i] : []));
  if (times.length === 1) return times[0]!;
  return ksqlError(
    times.length === 0
      ? `'${name}' has no record time (an event-time attribute) for a ksqlDB join to go by`
      : `'${name}' has ${times.length} event-time attributes; a ksqlDB join goes by one record time`,
    span,
    'a ksqlDB stream or table has one (ROWTIME); a Flink table needs one WATERMARK FOR its time column',
  );
}

/**
 * Which watermark a stream-table join goes by (TemporalJoinConfig.streamTime): the stream's alone when the
 * table is an unbounded topic (Kafka, the embedded log: waiting for its watermark could wait forever), both
 * inputs' when the table is read to an end (files, bounded reads), which keeps the result deterministic.
 */
function tableTime(plan: LogicalPlan): 'stream' | 'both' {
  if (plan.kind !== 'LogicalScan') return 'stream';
  const options = plan.table.options;
  const kafka = options['connector'] === 'kafka' || options['connector'] === 'upsert-kafka';
  const monitored = options['connector'] === 'filesystem' && options['source.monitor-interval'] !== undefined;
  return (kafka && options['scan.bounded.mode'] === undefined) || monitored ? 'stream' : 'both';
}

/** The side's hidden ROWTIME pseudo column (a position of its row), if it has one. */
function rowtimeColumn(side: Bound): ScopeColumn | undefined {
  return side.scope.columns.find((c) => c.hidden && sameName(c.name, 'ROWTIME'));
}

/** A side's key expression as ksqlDB prints it: `SOURCE.COLUMN`. */
function keyText(e: BoundExpr | undefined, source: string, fields: readonly Field[]): string {
  return e?.kind === 'InputRef' ? `${source}.${fields[e.index]!.name.toUpperCase()}` : 'an expression';
}

/**
 * Checks that the equi-join keys of `condition` (over `[...left, ...right]`) compare every column of the
 * right side's primary key `key`; otherwise fails with `message(got)`, `got` the first equality ksqlDB-style.
 */
function checkRightKey(condition: BoundExpr, sides: readonly [Bound, Bound], names: readonly [string, string], key: readonly number[] | undefined, message: (got: string) => string, span: Span): void {
  const keys = splitJoinCondition(condition, sides[0].plan.schema.length);
  if (key && key.every((k) => keys.rightKeys.some((e) => e.kind === 'InputRef' && e.index === k))) return;
  const got = keys.leftKeys.length === 0 ? 'no equality' : `${keyText(keys.leftKeys[0], names[0], sides[0].plan.schema)} = ${keyText(keys.rightKeys[0], names[1], sides[1].plan.schema)}`;
  const rightFields = sides[1].plan.schema;
  ksqlError(message(got), span, key ? `compare the primary key of ${names[1]}: ${key.map((k) => rightFields[k]!.name).join(', ')}` : `${names[1]} has no primary key`);
}

/**
 * Binds a ksqlDB join (see the file comment). `left` and `right` are the bound sides; `pairScope` gives the
 * joined row's scope for the given output schema (each side's columns as positions of `[...left, ...right]`).
 */
export function bindKsqlJoin(ctx: BinderContext, join: ast.JoinRef, left: Bound, right: Bound, pairScope: (schema: readonly Field[]) => Scope): Bound {
  const names = [sourceName(left.plan, join.left), sourceName(right.plan, join.right)] as const;
  // A side that is no ksqlDB source (a Flink table in a join with WITHIN) is a stream.
  const kinds = [ksqlKind(left.plan) ?? 'STREAM', ksqlKind(right.plan) ?? 'STREAM'] as const;
  const got = `Got ${names[0]} ${KSQL_JOIN_TYPE[join.joinType]} ${names[1]}.`;
  if (join.using || !join.on) {
    ksqlError(`A ksqlDB join needs an ON condition${join.using ? ', not USING' : ''}`, join.span, `e.g. ... JOIN ${names[1]} ON ${names[0]}.ID = ${names[1]}.ID`);
  }
  const within = join.within;
  if (kinds[0] === 'TABLE' && kinds[1] === 'STREAM') {
    ksqlError(`Invalid join order: table-stream joins are not supported; only stream-table joins. ${got}`, join.span, `write ${names[1]} ${KSQL_JOIN_TYPE[join.joinType].replace(/\[|\]/g, '')} ${names[0]}`);
  }
  if (kinds[0] === 'STREAM' && kinds[1] === 'STREAM' && !within) {
    ksqlError(
      'Stream-Stream joins must have a WITHIN clause specified. None was provided.',
      join.span,
      `e.g. ... JOIN ${names[1]} WITHIN 1 HOUR GRACE PERIOD 10 MINUTES ON ...: records join when their times are at most that far apart`,
    );
  }
  if (kinds[1] === 'TABLE' && within) {
    const what = kinds[0] === 'STREAM' ? 'Stream-Table' : 'Table-Table';
    ksqlError(
      `A window definition was provided for a ${what} join. These joins are not windowed. Please drop the window definition (i.e. the WITHIN clause) and try to execute your ${what} join again.`,
      within.span,
    );
  }
  if (kinds[0] === 'STREAM' && kinds[1] === 'TABLE' && (join.joinType === 'FULL' || join.joinType === 'RIGHT')) {
    const what = join.joinType === 'FULL' ? 'full-outer' : 'right';
    ksqlError(`Invalid join type: ${what} join not supported for stream-table join. ${got}`, join.span, 'a stream-table join is an INNER or LEFT join');
  }

  const joinType = JOIN_TYPES[join.joinType];
  const width = left.plan.schema.length;
  const streamTable = kinds[0] === 'STREAM' && kinds[1] === 'TABLE';
  const streamStream = kinds[0] === 'STREAM' && kinds[1] === 'STREAM';
  const times = streamTable || streamStream ? ([recordTime(left, names[0], join.left.span), recordTime(right, names[1], join.right.span)] as const) : undefined;
  const temporal = streamTable && times ? { kind: 'event-time' as const, leftTime: times[0], rightTime: times[1], streamTime: tableTime(right.plan) } : undefined;
  // An interval join keeps both sides' time attributes, a temporal join the stream's, a table-table join none.
  const schema = joinFields(joinType, left.plan.schema, right.plan.schema, streamStream ? true : streamTable ? 'left' : false);
  const scope = pairScope(schema);
  const binder = new ExprBinder(ctx, scope, { clause: 'ON' });
  const on = binder.expectBoolean(binder.bind(join.on!), join.on!.span, 'ON');
  const fields = [...left.plan.schema, ...right.plan.schema];

  let condition = on;
  if (streamStream && within && times) {
    // right.t BETWEEN left.t - before AND left.t + after, on the time attributes (interval-bounds.ts reads it).
    const ref = (index: number): BoundExpr => ({ kind: 'InputRef', index, type: fields[index]!.type, name: fields[index]!.name });
    const ms = (n: number) => literal(n, withNullable(T.intervalDayTime(), false));
    const [l, r] = [ref(times[0]), ref(width + times[1])];
    condition = conjunction([
      on,
      binder.call('>=', [r, binder.call('-', [l, ms(within.beforeMs)], within.span)], within.span),
      binder.call('<=', [r, binder.call('+', [l, ms(within.afterMs)], within.span)], within.span),
    ]);
  }
  if (streamTable) {
    checkRightKey(on, [left, right], names, primaryKey(right.plan), (g) => `Invalid join condition: stream-table joins require to join on the table's primary key. Got ${g}.`, join.on!.span);
  } else if (!streamStream) {
    checkRightKey(on, [left, right], names, primaryKey(right.plan), (g) => `Invalid join condition: table-table joins require to join on the primary key of the right input table. Got ${g}.`, join.on!.span);
  }
  const plan: LogicalJoin = {
    kind: 'LogicalJoin',
    joinType,
    left: left.plan,
    right: right.plan,
    condition,
    schema,
    ...(temporal ? { temporal } : {}),
    ...(streamStream ? { interval: true, grace: within?.graceMs ?? KSQL_DEFAULT_JOIN_GRACE_MS } : {}),
    span: join.span,
  };
  return withRowtime({ plan, scope }, left, right, streamTable, binder, join.span);
}

/**
 * The join under a projection that adds the hidden `ROWTIME` of its output (see the file comment), when the
 * inputs have one; the sides' ROWTIMEs become reachable only qualified. Unchanged otherwise.
 */
function withRowtime(joined: Bound, left: Bound, right: Bound, streamTable: boolean, binder: ExprBinder, span: Span): Bound {
  const l = rowtimeColumn(left);
  const r = rowtimeColumn(right);
  if (!l || (!r && !streamTable)) return joined;
  const width = left.plan.schema.length;
  const schema = joined.plan.schema;
  const ref = (index: number): BoundExpr => ({ kind: 'InputRef', index, type: schema[index]!.type, name: schema[index]!.name });
  const [lt, rt] = [ref(l.index), r ? ref(width + r.index) : undefined];
  // The later record time of the pair; a null-padded row has only one (GREATEST is NULL with a NULL argument).
  const rowtime = streamTable || !rt ? lt : binder.call('GREATEST', [binder.call('COALESCE', [lt, rt], span), binder.call('COALESCE', [rt, lt], span)], span);
  const n = schema.length;
  const exprs = [...schema.map((_, i) => ref(i)), rowtime];
  const hidden = new Set(joined.scope.columns.filter((c) => c.hidden).map((c) => c.index));
  const names = uniqueNames(['ROWTIME', ...schema.map((f) => f.name)]);
  const fields: Field[] = [
    ...schema.map((f, i) => ({ name: names[i + 1]!, type: f.type, ...(hidden.has(i) ? { hidden: true } : {}) })),
    { name: 'ROWTIME', type: withNullable(T.bigint(), rowtime.type.nullable), hidden: true },
  ];
  const sideRowtimes = new Set([l.index, ...(r ? [width + r.index] : [])]);
  const columns: ScopeColumn[] = [
    ...joined.scope.columns.map((c) => (sideRowtimes.has(c.index) ? { ...c, qualifiedOnly: true } : c)),
    { name: 'ROWTIME', type: fields[n]!.type, index: n, hidden: true },
  ];
  return { plan: { kind: 'LogicalProject', input: joined.plan, exprs, schema: fields }, scope: new Scope(columns) };
}
