/**
 * Builds a runnable {@link Job} from the physical pipelines of its sinks: one runtime operator per physical
 * node (shared nodes once), wired from the sources up to the sinks, with expressions compiled once.
 */
import type { Field } from '../common/types.js';
import { EddyError, ErrorCode, type Span } from '../common/errors.js';
import { parseDuration } from '../common/duration.js';
import { compileExpr } from '../expr/compile.js';
import { persistedColumns, physicalColumns, sourceIndex, type TableDef } from '../planner/catalog.js';
import { isPreserved, type LogicalAggCall } from '../planner/logical-plan.js';
import type { PhysicalKind, PhysicalNodeOf, PhysicalPipeline, PhysicalPlan } from '../planner/physical-plan.js';
import { nodeId } from '../planner/node-id.js';
import { stateDescriptors, type StateDescriptor } from '../planner/state-declarations.js';
import { exprToString } from '../planner/explain.js';
import { INSERT, type ChangeBatch, type Row } from './changelog.js';
import type { BadRecord, ConnectorContext, ConnectorFactory, SinkWriter, SourceChunk, SourceReader } from './connector.js';
import { MetricsRegistry } from './metrics.js';
import { Job, type SinkTask, type SourceTask } from './job.js';
import type { OperatorContext, Output, StreamOperator } from './operator.js';
import type { AggCall } from './operators/aggregate-call.js';
import { Calc } from './operators/calc.js';
import { expressionFailure } from './operators/expression-error.js';
import { GroupAggregate } from './operators/group-aggregate.js';
import { Join, type JoinConfig } from './operators/join.js';
import { IntervalJoin } from './operators/interval-join.js';
import { WindowJoin } from './operators/window-join.js';
import { SemiAntiJoin } from './operators/semi-anti-join.js';
import { NullAwareAntiJoin } from './operators/null-aware-anti-join.js';
import { TemporalJoin } from './operators/temporal-join.js';
import { LookupJoin } from './operators/lookup-join.js';
import { Limit } from './operators/limit.js';
import { Rank } from './operators/rank.js';
import { OverAggregate } from './operators/over-aggregate.js';
import { Deduplicate } from './operators/deduplicate.js';
import { ChangelogNormalize } from './operators/changelog-normalize.js';
import { WindowRank } from './operators/window-rank.js';
import { WindowDeduplicate } from './operators/window-deduplicate.js';
import { SessionWindowAggregate } from './operators/session-window-aggregate.js';
import { KsqlWindowAggregate } from './operators/ksql-window-aggregate.js';
import { TableSink } from './operators/table-sink.js';
import { physicalColumnsRead, TableSourceScan } from './operators/table-source-scan.js';
import { TemporalSort } from './operators/temporal-sort.js';
import { TimeZoneShift, type TimeZoneShiftConfig } from './operators/time-zone-shift.js';
import { Union } from './operators/union.js';
import { WindowAggregate } from './operators/window-aggregate.js';
import { WindowTableFunction } from './operators/window-table-function.js';
import { ValuesReader } from './values-reader.js';
import { BadRecordHandler, DEAD_LETTER_COLUMNS, errorPolicyOf } from './bad-records.js';
import { StateBackend, type StateBackendOptions } from './state/state-backend.js';
import { ParallelExchange, hashRouter, type ParallelInstance } from './parallel/exchange.js';
import type { ParallelPart } from './parallel/part.js';
import type { CheckpointData, SqliteStateStore } from './state/sqlite-state-store.js';

/** What building a job needs besides the plan. */
export interface BuildOptions {
  /** Finds a connector by its identifier. */
  readonly connector: (identifier: string) => ConnectorFactory | undefined;
  readonly timeZone: string;
  /** Where a `collect` pipeline (a SELECT) writes its changes. */
  readonly collect?: SinkWriter;
  /** A name for the job (messages, metrics). */
  readonly name: string;
  /** Where operator state lives (default: memory only, with `stateOptions`). */
  readonly state?: StateBackend;
  /** Limits of the default memory-only backend (its TTL). */
  readonly stateOptions?: StateBackendOptions;
  /** The job's state key (its state file's name), for sink ids. */
  readonly jobKey?: string;
  /** Identifies the plan; stored with savepoints. */
  readonly fingerprint?: string;
  /** Where a source table with `errors.policy` = 'dead-letter' writes its bad records (resolved by the engine). */
  readonly deadLetters?: (source: TableDef) => DeadLetterTarget | undefined;
  /** The statement's text and where it starts in its script, to quote a failing expression in errors. */
  readonly sql?: { readonly text: string; readonly start: number };
  /** Checkpointing: the job's state store and interval; with `restored`, the job resumes from it. */
  readonly checkpoints?: { readonly store: SqliteStateStore; readonly intervalMs: number; readonly minPauseMs?: number; readonly restored?: CheckpointData };
  /** The session's embedded log file, handed to every source and sink (ConnectorContext.embeddedLogPath). */
  readonly embeddedLogPath?: string;
  /**
   * Builds instance `instance.index` of a job running in `instance.count` parallel instances (see
   * runtime/parallel): sources read their split, Exchange nodes send rows to the instance owning their key, and
   * sinks are written by instance 0 only (the others send it their rows). `part`: what the job driver needs.
   */
  readonly parallel?: { readonly instance: ParallelInstance; readonly part: ParallelPart };
}

/** The reader of a source's share in an instance that has none (a source that cannot be split, read by instance 0). */
class EmptyReader implements SourceReader {
  readonly bounded = true;
  async open(): Promise<void> {}
  async next(): Promise<SourceChunk | null> {
    return null;
  }
  async close(): Promise<void> {}
}

/** A dead-letter table: a sink connector with its options and columns (named as DEAD_LETTER_COLUMNS). */
export interface DeadLetterTarget {
  readonly name: string;
  readonly factory: ConnectorFactory;
  readonly options: Readonly<Record<string, string>>;
  readonly schema: readonly Field[];
  /** Columns identifying a bad record: a record written again (by another job reading the same source) replaces the first. */
  readonly primaryKey?: readonly string[];
}

const NO_OUTPUT: Output = { emit: () => {}, emitWatermark: () => {}, end: () => {} };

/** Sends an operator's output to one input of another operator. */
class Edge implements Output {
  constructor(
    private readonly target: StreamOperator,
    private readonly input: number,
  ) {}
  emit(batch: ChangeBatch): void {
    this.target.processBatch(batch, this.input);
  }
  emitWatermark(watermark: number): void {
    this.target.processWatermark(watermark, this.input);
  }
  end(): void {
    this.target.endInput(this.input);
  }
}

/** The configuration a regular or interval join shares: keys, residual condition, widths, preserved sides, description. */
/** `scan.watermark.idle-timeout` in ms (validated before); undefined when absent or 0 (Flink: disabled). */
function idleTimeoutOf(options: Readonly<Record<string, string>>): number | undefined {
  const text = options['scan.watermark.idle-timeout'];
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

function joinConfig(node: PhysicalNodeOf<'Join' | 'IntervalJoin' | 'TemporalJoin'>): JoinConfig {
  return { ...joinParts(node), preserved: [isPreserved(node.joinType, 0), isPreserved(node.joinType, 1)] };
}

/** What every join operator's configuration has: compiled keys and residual, widths, and a description. */
function joinParts(node: PhysicalNodeOf<'Join' | 'IntervalJoin' | 'TemporalJoin' | 'WindowJoin'>): Omit<JoinConfig, 'preserved'> {
  const joined = [...node.left.schema, ...node.right.schema].map((f) => f.name);
  const keys = (exprs: typeof node.leftKeys, input: PhysicalPlan) => exprs.map((e) => exprToString(e, input.schema.map((f) => f.name))).join(', ');
  return {
    keys: [node.leftKeys.map(compileExpr), node.rightKeys.map(compileExpr)],
    residual: node.residual ? compileExpr(node.residual) : undefined,
    widths: [node.left.schema.length, node.right.schema.length],
    description: `type=[${node.joinType}], leftKeys=[${keys(node.leftKeys, node.left)}], rightKeys=[${keys(node.rightKeys, node.right)}]${node.residual ? `, where=[${exprToString(node.residual, joined)}]` : ''}`,
  };
}

function aggCalls(aggs: readonly LogicalAggCall[]): AggCall[] {
  return aggs.map((a) => ({ name: a.display, impl: a.impl, argIndex: a.argIndex, filterIndex: a.filterIndex }));
}

/** Sends an operator's output to every operator that reads it (a node shared by several sinks' plans). */
class Fanout implements Output {
  readonly targets: Output[] = [];
  emit(batch: ChangeBatch): void {
    const t = this.targets;
    if (t.length === 1) return t[0]!.emit(batch);
    for (const o of t) o.emit(batch);
  }
  emitWatermark(watermark: number): void {
    for (const o of this.targets) o.emitWatermark(watermark);
  }
  end(): void {
    for (const o of this.targets) o.end();
  }
}

/**
 * Builds the job for one pipeline, or for the pipelines of several sinks (a statement set): one runtime
 * operator per physical node, wired from the sources up to the sinks. Nodes with the same id (see
 * node-id.ts) are built once and feed every operator that reads them, so a source shared by several sinks
 * is read once. Each operator's state is named by its node's id and limited to the tables its node
 * declares (state-declarations.ts).
 */
export function buildJob(pipelines: PhysicalPipeline | readonly PhysicalPipeline[], options: BuildOptions): Job {
  const sinkPlans: readonly PhysicalPipeline[] = Array.isArray(pipelines) ? pipelines : [pipelines as PhysicalPipeline];
  const metrics = new MetricsRegistry();
  const sources: SourceTask[] = [];
  const sinks: SinkTask[] = [];
  const opens: (() => void)[] = [];
  const closes: (() => void)[] = [];
  const state = options.state ?? new StateBackend(undefined, false, options.stateOptions);
  let counter = 0;
  // Errors in SQL expressions follow the policy of the job's (first) source; with no source, they fail.
  let jobBadRecords: BadRecordHandler | undefined;
  const sqlOf = (span: Span): string | undefined => {
    const sql = options.sql;
    const [from, to] = sql ? [span.start - sql.start, span.end - sql.start] : [-1, -1];
    return sql && from >= 0 && to <= sql.text.length && from < to ? sql.text.slice(from, to) : undefined;
  };
  const reportExpressionError = (r: BadRecord) => {
    if (!jobBadRecords) throw expressionFailure(r, sqlOf);
    jobBadRecords.report(r);
  };
  /** The context of an operator: metrics under `name`, state under `stateName` (limited to `declared`). */
  const contextFor = (output: Output, name: string, stateName: string, declared: readonly StateDescriptor[]): OperatorContext => ({
    name,
    output,
    counter: (n: string) => metrics.counter(name, n),
    state: state.forOperator(stateName, declared),
    badRecord: reportExpressionError,
  });
  // Dead-letter tables are extra sinks, one per table, named apart from the plan's operators.
  const deadLetterWriters = new Map<string, (row: Row) => void>();
  const deadLetterFor = (table: TableDef): ((row: Row) => void) | undefined => {
    const target = options.deadLetters?.(table);
    if (!target) return undefined;
    if (parallel) {
      throw new EddyError({
        code: ErrorCode.UNSUPPORTED,
        message: `Table '${table.name}' writes its bad records to a dead-letter table, which a job with 'parallelism.default' = ${parallel.count} cannot do yet`,
        hint: "SET 'parallelism.default' = '1' for this job",
      });
    }
    const existing = deadLetterWriters.get(target.name);
    if (existing) return existing;
    const sinkName = `dead-letters:${target.name}`;
    const writer = target.factory.createSink!({
      ...connectorContext(target.name, target.options, target.schema, `DeadLetters: ${target.name}`, restored?.sinks[sinkName]),
      ...(target.primaryKey ? { primaryKey: target.primaryKey } : {}),
      checkpointing: options.checkpoints !== undefined,
      sinkId: `${options.jobKey ?? options.name}/${sinkName}`,
    });
    const op = new TableSink(sinkName, writer);
    const ctx = contextFor(NO_OUTPUT, `DeadLetters: ${target.name}`, sinkName, []);
    opens.push(() => op.open(ctx));
    sinks.push({ operator: op, writer, auxiliary: true });
    const columnOf = target.schema.map((f) => (DEAD_LETTER_COLUMNS as readonly string[]).indexOf(f.name.toLowerCase()));
    const write = (row: Row) => op.processBatch({ rows: [columnOf.map((j) => (j >= 0 ? row[j] : null))], kinds: [INSERT] });
    deadLetterWriters.set(target.name, write);
    return write;
  };
  const restored = options.checkpoints?.restored;
  const parallel = options.parallel?.instance;
  const connectorContext = (
    tableName: string,
    options2: Readonly<Record<string, string>>,
    schema: readonly Field[],
    scope: string,
    restoredInfo: unknown,
  ): ConnectorContext => ({
    tableName,
    options: options2,
    schema,
    timeZone: options.timeZone,
    counter: (n: string) => metrics.counter(scope, n),
    restored: restoredInfo ?? undefined,
    ...(options.embeddedLogPath !== undefined ? { embeddedLogPath: options.embeddedLogPath } : {}),
    badRecord: (r: BadRecord) => {
      throw new EddyError({ code: ErrorCode.BAD_RECORD, message: `Bad record in \`${tableName}\` at ${r.position} (${r.kind}): ${r.message}` });
    },
  });

  /** Each node's output, by node id: built once, read by any number of operators. */
  const built = new Map<string, Fanout>();
  const outputOf = (node: PhysicalPlan): Fanout => {
    const id = nodeId(node);
    let out = built.get(id);
    if (!out) {
      out = new Fanout();
      built.set(id, out);
      const env: NodeBuildEnv = { id, output: out, node };
      (BUILDERS[node.kind] as (n: PhysicalPlan, env: NodeBuildEnv) => void)(node, env);
    }
    return out;
  };
  /** Opens `op` for `env`'s node, and connects the node's inputs to it. */
  const attach = (op: StreamOperator, env: NodeBuildEnv, inputs: readonly PhysicalPlan[]) => {
    const ctx = contextFor(env.output, `${op.kind}#${++counter}`, env.id, stateDescriptors(env.node));
    opens.push(() => op.open(ctx));
    inputs.forEach((input, i) => outputOf(input).targets.push(new Edge(op, i)));
  };
  // A window on a TIMESTAMP_LTZ rowtime runs on the session zone's wall clock, between two shifts.
  const attachWindow = (op: StreamOperator, env: NodeBuildEnv, win: { input: PhysicalPlan; timeIndex: number; timeZone?: string }, outColumns: TimeZoneShiftConfig['columns']) => {
    if (!win.timeZone) return attach(op, env, [win.input]);
    const back = new TimeZoneShift({ zone: win.timeZone, direction: 'to-utc', columns: outColumns });
    const backCtx = contextFor(env.output, `${back.kind}#${++counter}`, `${env.id}:to-utc`, []);
    const opCtx = contextFor(new Edge(back, 0), `${op.kind}#${++counter}`, env.id, stateDescriptors(env.node));
    const forward = new TimeZoneShift({ zone: win.timeZone, direction: 'to-local', columns: [{ index: win.timeIndex, kind: 'instant' }] });
    const forwardCtx = contextFor(new Edge(op, 0), `${forward.kind}#${++counter}`, `${env.id}:to-local`, []);
    opens.push(() => back.open(backCtx), () => op.open(opCtx), () => forward.open(forwardCtx));
    outputOf(win.input).targets.push(new Edge(forward, 0));
  };

  /** How each node kind is built: its operator, attached to its inputs. */
  const BUILDERS: { readonly [K in PhysicalKind]: (node: PhysicalNodeOf<K>, env: NodeBuildEnv) => void } = {
    TableSourceScan: (node, env) => {
      const table = node.table;
      const factory = options.connector(table.options['connector'] ?? '');
      if (!factory?.createSource) {
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table '${table.name}' (connector '${table.options['connector']}') cannot be read from` });
      }
      const physical = physicalColumns(table);
      const physicalIndex = sourceIndex(table.columns);
      const metadataKeys = node.metadata?.keys ?? [];
      const scope = `Source: ${table.name}#${++counter}`;
      const policy = errorPolicyOf(table.options);
      // Dead letters wait until their chunk is processed (or dropped by a stop), so they are committed by
      // the same checkpoint as the chunk's rows: never twice, never without them.
      const deadLetter = policy === 'dead-letter' ? deadLetterFor(table) : undefined;
      const pendingDeadLetters: Row[] = [];
      const handler = new BadRecordHandler(table.name, policy, (n) => metrics.counter(scope, n), deadLetter ? (row) => pendingDeadLetters.push(row) : undefined);
      const writeDeadLetters = () => {
        if (!deadLetter) return;
        for (const row of pendingDeadLetters) deadLetter(row);
        pendingDeadLetters.length = 0;
      };
      jobBadRecords ??= handler;
      // In parallel, a splittable source is read by every instance (its share), any other by instance 0 alone.
      const reader =
        parallel && !factory.splittable && parallel.index !== 0
          ? new EmptyReader()
          : factory.createSource({
              ...connectorContext(table.name, table.options, physical.map((c) => ({ name: c.name, type: c.type })), scope, restored?.sources[env.id]),
              badRecord: (r) => handler.report(r),
              ...(node.filters ? { filters: node.filters } : {}),
              columnsRead: physicalColumnsRead(node, physicalIndex, physical.length),
              ...(metadataKeys.length > 0 ? { metadataKeys } : {}),
              ...(table.primaryKey ? { primaryKey: table.primaryKey } : {}),
              ...(parallel && factory.splittable ? { split: { index: parallel.index, count: parallel.count } } : {}),
            });
      const speedup = table.options['replay.speedup'] !== undefined ? Number(table.options['replay.speedup']) : undefined;
      const scan = new TableSourceScan({
        tableName: table.name,
        physicalIndex,
        computed: node.computed.map((e) => (e ? compileExpr(e) : undefined)),
        ...(node.metadata ? { metadata: { physical: physical.length, values: node.metadata.values.map((e) => compileExpr(e)) } } : {}),
        projection: node.projection,
        watermark: node.watermark ? { rowtimeIndex: node.watermark.rowtimeIndex, expr: compileExpr(node.watermark.expr) } : undefined,
        speedup: speedup !== undefined && speedup > 0 ? speedup : undefined,
        idleTimeoutMs: idleTimeoutOf(table.options),
        onNullTime: (chunk, i, row) => {
          const where = chunk.describe?.(i);
          handler.report({
            kind: 'null-event-time',
            message: `the event time '${table.watermark?.column}' is NULL`,
            position: where?.position ?? `${chunk.split}`,
            raw: where?.raw ?? JSON.stringify(row),
          });
        },
      });
      const ctx = contextFor(env.output, scope, env.id, stateDescriptors(node));
      opens.push(() => scan.open(ctx));
      sources.push({ name: env.id, reader, scan, beforeChunk: writeDeadLetters, afterChunk: writeDeadLetters, dropChunk: () => void (pendingDeadLetters.length = 0) });
    },
    Values: (node, env) => {
      const rows: Row[] = node.rows.map((r) => r.map((e) => compileExpr(e)([])));
      const scan = new TableSourceScan({ tableName: 'VALUES', physicalIndex: node.schema.map((_, i) => i), computed: node.schema.map(() => undefined), projection: node.schema.map((_, i) => i) });
      const ctx = contextFor(env.output, `Values#${++counter}`, env.id, stateDescriptors(node));
      opens.push(() => scan.open(ctx));
      // In parallel, instance 0 reads the rows.
      sources.push({ name: env.id, reader: parallel && parallel.index !== 0 ? new EmptyReader() : new ValuesReader(rows, restored?.sources[env.id]), scan });
    },
    Calc: (node, env) => {
      const columnNames = node.input.schema.map((f) => f.name);
      const calc = new Calc({
        projection: node.projection.map(compileExpr),
        condition: node.condition ? compileExpr(node.condition) : undefined,
        description: `select=[${node.projection.map((e) => exprToString(e, columnNames)).join(', ')}]${node.condition ? `, where=[${exprToString(node.condition, columnNames)}]` : ''}`,
      });
      attach(calc, env, [node.input]);
    },
    WindowTableFunction: (node, env) => {
      const window = node.window;
      if (window.kind === 'session') throw new Error('a SESSION window TVF reached the job builder (the planner merges it into its aggregation)');
      attachWindow(new WindowTableFunction({ window, timeIndex: node.timeIndex }), env, node, [
        { index: node.timeIndex, kind: 'instant' },
        { index: node.schema.length - 1, kind: 'window-time' },
      ]);
    },
    WindowAggregate: (node, env) =>
      attachWindow(
        new WindowAggregate({ window: node.window, timeIndex: node.timeIndex, groupKeys: [...node.groupKeys], aggs: aggCalls(node.aggs), ...(node.windowEnd === undefined ? {} : { windowEnd: node.windowEnd }) }),
        env,
        node,
        [{ index: node.schema.length - 1, kind: 'window-time' }],
      ),
    SessionWindowAggregate: (node, env) =>
      attachWindow(
        new SessionWindowAggregate({ gap: node.gap, timeIndex: node.timeIndex, groupKeys: [...node.groupKeys], aggs: aggCalls(node.aggs) }),
        env,
        node,
        [{ index: node.schema.length - 1, kind: 'window-time' }],
      ),
    KsqlWindowAggregate: (node, env) =>
      attach(new KsqlWindowAggregate({ window: node.window, emit: node.emit, timeIndex: node.timeIndex, groupKeys: [...node.groupKeys], aggs: aggCalls(node.aggs) }), env, [node.input]),
    GroupAggregate: (node, env) =>
      attach(new GroupAggregate({ groupKeys: [...node.groupKeys], aggs: aggCalls(node.aggs), inputUpdating: node.input.changelog.kind === 'updating', ...(node.perRecord ? { perRecord: true } : {}) }), env, [node.input]),
    Union: (node, env) => attach(new Union(node.inputs.length), env, node.inputs),
    Join: (node, env) => {
      const type = node.joinType;
      if (type !== 'semi' && type !== 'anti') return attach(new Join(joinConfig(node)), env, [node.left, node.right]);
      // The condition reads `[...left, ...right]`, while the node's own columns are the left ones.
      const { keys, residual, description } = joinConfig({ ...node, schema: [...node.left.schema, ...node.right.schema] });
      if (node.nullAware) {
        const values = [compileExpr(node.nullAware.left), compileExpr(node.nullAware.right)] as const;
        return attach(new NullAwareAntiJoin({ keys, values, description: `${description}, nullAware=[${exprToString(node.nullAware.left)} NOT IN ${exprToString(node.nullAware.right)}]` }), env, [node.left, node.right]);
      }
      attach(new SemiAntiJoin({ type, keys, residual, description }), env, [node.left, node.right]);
    },
    IntervalJoin: (node, env) => {
      const { leftTime, rightTime, lower, upper } = node.bounds;
      const base = joinConfig(node);
      const grace = node.grace === undefined ? {} : { grace: node.grace };
      const description = `${base.description}, bounds=[${lower}, ${upper}]${node.grace === undefined ? '' : `, grace=${node.grace}`}`;
      const join = new IntervalJoin({ ...base, times: [leftTime, rightTime], lower, upper, ...grace, description });
      attach(join, env, [node.left, node.right]);
    },
    WindowJoin: (node, env) => {
      const base = joinParts(node);
      const { leftWindow: l, rightWindow: r } = node;
      const join = new WindowJoin({
        ...base,
        joinType: node.joinType,
        windows: [l, r],
        ...(node.nullAware ? { nullAware: true } : {}),
        description: `${base.description}${node.nullAware ? ', nullAware=[true]' : ''}, windows=[$${l.start}, $${l.end}; $${r.start}, $${r.end}]`,
      });
      attach(join, env, [node.left, node.right]);
    },
    TemporalJoin: (node, env) => {
      const base = joinConfig(node);
      const streamTime = node.streamTime ? { streamTime: node.streamTime } : {};
      const description = `${base.description}, times=[${node.leftTime}, ${node.rightTime}]${node.streamTime ? `, streamTime=${node.streamTime}` : ''}`;
      const join = new TemporalJoin({ ...base, times: [node.leftTime, node.rightTime], ...streamTime, description });
      attach(join, env, [node.left, node.right]);
    },
    LookupJoin: (node, env) => {
      const table = node.table;
      const factory = options.connector(table.options['connector'] ?? '');
      if (!factory?.createLookup) {
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table '${table.name}' (connector '${table.options['connector']}') cannot be looked up by key` });
      }
      const physical = physicalColumns(table);
      const scope = `Lookup: ${table.name}#${++counter}`;
      // A reader that loads its table (a file) reports the records it cannot read under the table's error policy.
      const policy = errorPolicyOf(table.options);
      const handler = new BadRecordHandler(table.name, policy, (n) => metrics.counter(scope, n), policy === 'dead-letter' ? deadLetterFor(table) : undefined);
      const reader = factory.createLookup({
        ...connectorContext(table.name, table.options, physical.map((c) => ({ name: c.name, type: c.type })), scope, undefined),
        badRecord: (r) => handler.report(r),
        keys: node.lookupKeys,
      });
      const physicalIndex = sourceIndex(table.columns);
      const computed = node.computed.map((e) => (e ? compileExpr(e) : undefined));
      // The table's row (physical columns, then computed ones on them) projected as the scan would.
      const tableRow = (row: Row): Row => {
        const full = physicalIndex.map((i, c) => (i >= 0 ? row[i] : computed[c]!(row)));
        return node.projection.map((c) => full[c]);
      };
      const inputNames = node.input.schema.map((f) => f.name);
      const join = new LookupJoin({
        keys: node.leftKeys.map(compileExpr),
        ...(node.residual ? { residual: compileExpr(node.residual) } : {}),
        tableRow,
        width: node.projection.length,
        preserved: node.joinType === 'left',
        reader,
        ...(reader.cache ? { cache: reader.cache } : {}),
        description: `table=[${table.name}], type=[${node.joinType}], lookup=[${node.lookupKeys.map((k, i) => `${k}=${exprToString(node.leftKeys[i]!, inputNames)}`).join(', ')}]`,
      });
      closes.push(() => join.close());
      attach(join, env, [node.input]);
    },
    Limit: (node, env) => attach(new Limit(node.limit, node.offset), env, [node.input]),
    Rank: (node, env) =>
      attach(
        new Rank({
          rankType: node.rankType,
          partitionKeys: node.partitionKeys,
          orderKeys: node.orderKeys,
          rankEnd: node.rankEnd,
          rankStart: node.rankStart,
          outputRank: node.outputRank,
          inputUpdating: node.input.changelog.kind === 'updating',
        }),
        env,
        [node.input],
      ),
    Deduplicate: (node, env) => attach(new Deduplicate({ partitionKeys: node.partitionKeys, timeIndex: node.timeIndex, outputRank: node.outputRank }), env, [node.input]),
    ChangelogNormalize: (node, env) => attach(new ChangelogNormalize({ keys: node.keys }), env, [node.input]),
    WindowRank: (node, env) =>
      attach(
        new WindowRank({
          rankType: node.rankType,
          partitionKeys: node.partitionKeys,
          orderKeys: node.orderKeys,
          rankEnd: node.rankEnd,
          outputRank: node.outputRank,
          window: { timeIndex: node.window.time, endIndex: node.window.end },
        }),
        env,
        [node.input],
      ),
    WindowDeduplicate: (node, env) =>
      attach(
        new WindowDeduplicate({ partitionKeys: node.partitionKeys, timeIndex: node.timeIndex, keepLast: node.keepLast, outputRank: node.outputRank, window: { timeIndex: node.window.time, endIndex: node.window.end } }),
        env,
        [node.input],
      ),
    OverAggregate: (node, env) =>
      attach(new OverAggregate({ partitionKeys: node.partitionKeys, timeIndex: node.timeIndex, proctime: node.proctime, frame: node.frame, aggs: aggCalls(node.aggs) }), env, [node.input]),
    TemporalSort: (node, env) => attach(new TemporalSort({ timeIndex: node.timeIndex, keys: node.keys }), env, [node.input]),
    // One thread: rows go on as they are. In parallel, rows go to the instance owning their key.
    Exchange: (node, env) => {
      if (!parallel) return void outputOf(node.input).targets.push(env.output);
      const d = node.distribution;
      const router = d.kind === 'hash' ? hashRouter(d.keys.map(compileExpr), parallel.count) : 'single';
      attach(new ParallelExchange(env.id, parallel.links, router), env, [node.input]);
    },
  };

  // Before a sink is created (which may open its file): one writer per table, as the planner arranges.
  const checkOneSink = (name: string) => {
    if (sinks.some((s) => s.operator.name === name)) throw new Error(`two sinks of one job write '${name}' (the planner unions them into one)`);
  };
  for (const pipeline of sinkPlans) {
    let writer: SinkWriter;
    let sinkName: string;
    const sinkOf = pipeline.sink.kind === 'table' ? pipeline.sink.table.name : 'collect';
    // In parallel, instance 0 writes the sink: every instance sends it its rows (an exchange to one instance).
    const gather = parallel ? new ParallelExchange(`sink:${sinkOf}`, parallel.links, 'single') : undefined;
    if (gather) {
      const gatherCtx = contextFor(NO_OUTPUT, `Exchange#${++counter}`, `sink:${sinkOf}`, []);
      outputOf(pipeline.root).targets.push(new Edge(gather, 0));
      if (parallel!.index !== 0) {
        opens.push(() => gather.open(gatherCtx));
        continue;
      }
    }
    if (pipeline.sink.kind === 'table') {
      const table = pipeline.sink.table;
      const factory = options.connector(table.options['connector'] ?? '');
      if (!factory?.createSink) {
        throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message: `Table '${table.name}' (connector '${table.options['connector']}') cannot be written to` });
      }
      sinkName = table.name;
      checkOneSink(sinkName);
      // An INSERT's rows are the physical columns, then the persisted METADATA columns' values (bind-insert.ts).
      const metadataKeys = persistedColumns(table).flatMap((c) => (c.metadata ? [c.metadata.key] : []));
      writer = factory.createSink({
        ...connectorContext(table.name, table.options, pipeline.schema.slice(0, pipeline.schema.length - metadataKeys.length), `Sink: ${table.name}`, restored?.sinks[table.name]),
        ...(metadataKeys.length > 0 ? { metadataKeys } : {}),
        primaryKey: table.primaryKey,
        checkpointing: options.checkpoints !== undefined,
        sinkId: `${options.jobKey ?? options.name}/${table.name}`,
      });
    } else {
      if (!options.collect) throw new Error('a collect pipeline needs a collect writer');
      writer = options.collect;
      sinkName = 'collect';
      checkOneSink(sinkName);
    }
    const sink = new TableSink(sinkName, writer);
    const sinkCtx = contextFor(NO_OUTPUT, `Sink: ${sinkName}`, `Sink: ${sinkName}`, []);
    opens.push(() => sink.open(sinkCtx));
    sinks.push({ operator: sink, writer });
    if (gather) {
      const gatherCtx = contextFor(new Edge(sink, 0), `Exchange#${++counter}`, `sink:${sinkOf}`, []);
      opens.push(() => gather.open(gatherCtx));
    } else outputOf(pipeline.root).targets.push(new Edge(sink, 0));
  }
  const checkpoints = options.checkpoints ? { ...options.checkpoints, backend: state } : undefined;
  const closeOperators = () => closes.forEach((close) => close());
  return new Job(options.name, sources, sinks, metrics, () => opens.forEach((open) => open()), checkpoints, state, options.fingerprint, closeOperators, options.parallel?.part);
}

/** What building one node needs: its id (its state's name), where its operator emits, and the node. */
interface NodeBuildEnv {
  readonly id: string;
  readonly output: Output;
  readonly node: PhysicalPlan;
}
