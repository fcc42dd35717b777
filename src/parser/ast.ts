/**
 * The abstract syntax tree the parser produces. Plain immutable data: every node has a `kind` equal to its
 * type name and the `span` of the source text it came from. Names are kept as written (case preserved);
 * keywords are upper-cased. The binder (src/planner) gives the tree meaning.
 */
import type { Span } from '../common/errors.js';
import type { DataType } from '../common/types.js';

/** Fields every node has. */
export interface NodeBase {
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------------------
// Names

/** A single name. `quoted` is true for `backquoted` names. */
export interface Identifier extends NodeBase {
  readonly kind: 'Identifier';
  readonly name: string;
  readonly quoted: boolean;
}

/** A dotted name such as `cat.db.rides` or `r.ride_id`; `parts` has at least one element. */
export interface QualifiedName extends NodeBase {
  readonly kind: 'QualifiedName';
  readonly parts: readonly Identifier[];
}

// ---------------------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | CreateTable
  | CreateView
  | DropStatement
  | InsertStatement
  | StatementSet
  | QueryStatement
  | SetStatement
  | ResetStatement
  | ShowStatement
  | DescribeStatement
  | DescribeJobStatement
  | ExplainStatement
  | StopJobStatement
  | ShowTopicsStatement
  | PrintStatement
  // ksqlDB's dialect (docs/ksql.md)
  | KsqlCreateAs
  | RunScriptStatement
  | DefineStatement
  | UndefineStatement
  | UnsetStatement
  | TerminateStatement;

/** Fields of every statement: its full text (without the trailing `;`), for messages and EXPLAIN. */
export interface StatementBase extends NodeBase {
  readonly text: string;
}

/** A physical column: `name TYPE [NOT NULL] [COMMENT '...']`. NOT NULL is folded into `type.nullable`. */
export interface PhysicalColumn extends NodeBase {
  readonly kind: 'PhysicalColumn';
  readonly name: Identifier;
  readonly type: DataType;
  readonly comment?: string;
}

/** A computed column: `name AS expr` (`p AS PROCTIME()` is one too). */
export interface ComputedColumn extends NodeBase {
  readonly kind: 'ComputedColumn';
  readonly name: Identifier;
  readonly expr: Expr;
  readonly comment?: string;
}

/**
 * A metadata column: `name TYPE METADATA [FROM 'key'] [VIRTUAL]` (Flink's): a value the connector gives
 * besides the record's fields (a Kafka record's `offset`, a file's `file.path`). `key` is the connector's
 * metadata key (the column's name when there is no FROM); a VIRTUAL column is only read, never written.
 */
export interface MetadataColumn extends NodeBase {
  readonly kind: 'MetadataColumn';
  readonly name: Identifier;
  readonly type: DataType;
  /** The metadata key: the FROM string, else the column's name. */
  readonly key: string;
  /** Where the key is written: the FROM string, else the column's name. */
  readonly keySpan: Span;
  readonly virtual: boolean;
  readonly comment?: string;
}

export type ColumnDef = PhysicalColumn | ComputedColumn | MetadataColumn;

/** `WATERMARK FOR column AS expr`. */
export interface WatermarkDef extends NodeBase {
  readonly kind: 'WatermarkDef';
  readonly column: Identifier;
  readonly expr: Expr;
}

/** One `'key' = 'value'` of a WITH clause; `keySpan`/`valueSpan` point at the two string literals. */
export interface TableOption extends NodeBase {
  readonly kind: 'TableOption';
  readonly key: string;
  readonly value: string;
  readonly keySpan: Span;
  readonly valueSpan: Span;
}

/** `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (...) [COMMENT '...'] [PARTITIONED BY (..)] WITH (...)`. */
export interface CreateTable extends StatementBase {
  readonly kind: 'CreateTable';
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: WatermarkDef;
  /** `PRIMARY KEY (a, b) NOT ENFORCED` (as a table constraint or on a single column). */
  readonly primaryKey?: readonly Identifier[];
  readonly partitionedBy?: readonly Identifier[];
  readonly comment?: string;
  readonly options: readonly TableOption[];
  /**
   * Set when the statement is ksqlDB's: `CREATE [OR REPLACE] STREAM`, or `CREATE [OR REPLACE] [SOURCE] TABLE`
   * whose WITH clause has ksqlDB's unquoted property names (`KAFKA_TOPIC = 'x'`). Its `options` are then
   * ksqlDB's properties (keys upper-cased as written: KAFKA_TOPIC, VALUE_FORMAT, ...), not connector options.
   */
  readonly ksql?: KsqlSourceInfo;
}

/** What makes a CREATE STREAM / CREATE TABLE ksqlDB's. */
export interface KsqlSourceInfo {
  readonly objectType: 'STREAM' | 'TABLE';
  readonly orReplace: boolean;
  /** `CREATE SOURCE TABLE|STREAM`: read-only, and (for a table) materialized for pull queries. */
  readonly source: boolean;
  /** Columns marked `KEY` (streams) or `PRIMARY KEY` (tables), in declaration order. */
  readonly keyColumns: readonly Identifier[];
}

/**
 * ksqlDB's `CREATE [OR REPLACE] STREAM|TABLE name [WITH (...)] AS query`: a persistent query writing a new
 * stream (its topic) or table (its topic and a materialized view that pull queries read).
 */
export interface KsqlCreateAs extends StatementBase {
  readonly kind: 'KsqlCreateAs';
  readonly objectType: 'STREAM' | 'TABLE';
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly name: QualifiedName;
  /** ksqlDB properties (KAFKA_TOPIC, VALUE_FORMAT, PARTITIONS, ...), keys upper-cased. */
  readonly options: readonly TableOption[];
  readonly query: Query;
}

/** `RUN SCRIPT 'file.sql'`: runs the file's statements in this session (path relative to the working directory). */
export interface RunScriptStatement extends StatementBase {
  readonly kind: 'RunScriptStatement';
  readonly path: string;
  readonly pathSpan: Span;
}

/** `DEFINE name = 'value'`: a variable for `${name}` in later statements. */
export interface DefineStatement extends StatementBase {
  readonly kind: 'DefineStatement';
  readonly name: string;
  readonly value: string;
}

/** `UNDEFINE name`. */
export interface UndefineStatement extends StatementBase {
  readonly kind: 'UndefineStatement';
  readonly name: string;
  readonly nameSpan: Span;
}

/** `UNSET 'key'` (ksqlDB's RESET of one property). */
export interface UnsetStatement extends StatementBase {
  readonly kind: 'UnsetStatement';
  readonly key: string;
}

/** `TERMINATE query_id` / `TERMINATE ALL`: stops persistent queries (ksqlDB's name for STOP JOB). */
export interface TerminateStatement extends StatementBase {
  readonly kind: 'TerminateStatement';
  /** Absent for TERMINATE ALL. */
  readonly queryId?: string;
  readonly queryIdSpan?: Span;
}

/**
 * `CREATE [TEMPORARY] [MATERIALIZED] VIEW [IF NOT EXISTS] name [(col, ...)] AS query`. A materialized view
 * is kept up to date by a job, as a SQLite table that pull queries read.
 */
export interface CreateView extends StatementBase {
  readonly kind: 'CreateView';
  readonly materialized: boolean;
  readonly name: QualifiedName;
  readonly temporary: boolean;
  readonly ifNotExists: boolean;
  readonly columnNames?: readonly Identifier[];
  readonly query: Query;
}

/** `DROP [TEMPORARY] TABLE|VIEW|MATERIALIZED VIEW [IF EXISTS] name [CASCADE | RESTRICT]`. */
export interface DropStatement extends StatementBase {
  readonly kind: 'DropStatement';
  /** STREAM: ksqlDB's `DROP STREAM`; `DROP TABLE` of a ksqlDB table is TABLE with `ksql` set. */
  readonly objectType: 'TABLE' | 'VIEW' | 'MATERIALIZED VIEW' | 'STREAM';
  /** ksqlDB's `DROP STREAM|TABLE [IF EXISTS] name DELETE TOPIC`. */
  readonly deleteTopic?: boolean;
  readonly name: QualifiedName;
  readonly ifExists: boolean;
  readonly temporary: boolean;
  /** CASCADE: the views that depend on it are dropped too (RESTRICT, the default: the DROP is refused). */
  readonly cascade: boolean;
}

/** `INSERT INTO|OVERWRITE target [/*+ OPTIONS(...) *\/] [(col, ...)] query`. */
export interface InsertStatement extends StatementBase {
  readonly kind: 'InsertStatement';
  readonly target: QualifiedName;
  /** Dynamic options of the target for this statement. */
  readonly hint?: OptionsHint;
  readonly columns?: readonly Identifier[];
  readonly overwrite: boolean;
  readonly query: Query;
}

/** `EXECUTE STATEMENT SET BEGIN insert; insert; ... END` (also `BEGIN STATEMENT SET; ... END;`). */
export interface StatementSet extends StatementBase {
  readonly kind: 'StatementSet';
  readonly inserts: readonly InsertStatement[];
}

/** A query run for its result (`SELECT ...`, `WITH ... SELECT`, `VALUES ...`). */
export interface QueryStatement extends StatementBase {
  readonly kind: 'QueryStatement';
  readonly query: Query;
}

/** `SET 'key' = 'value'`, or bare `SET` (list all settings: key and value absent). */
export interface SetStatement extends StatementBase {
  readonly kind: 'SetStatement';
  readonly key?: string;
  readonly value?: string;
}

/** `RESET 'key'`, or bare `RESET` (all). */
export interface ResetStatement extends StatementBase {
  readonly kind: 'ResetStatement';
  readonly key?: string;
}

/**
 * `SHOW TABLES | VIEWS | MATERIALIZED VIEWS | FUNCTIONS | JOBS | CATALOGS | DATABASES | CURRENT CATALOG |
 * CURRENT DATABASE`; `SHOW CREATE TABLE|VIEW name` and `SHOW COLUMNS FROM name` (these with `name`).
 */
export interface ShowStatement extends StatementBase {
  readonly kind: 'ShowStatement';
  readonly what: ShowWhat;
  /** The table or view of SHOW CREATE and SHOW COLUMNS. */
  readonly name?: QualifiedName;
  /** ksqlDB's `SHOW TABLES|STREAMS|QUERIES EXTENDED`. */
  readonly extended?: boolean;
  /** Written `LIST ...` (ksqlDB's synonym): `LIST TABLES` shows ksqlDB's columns, `SHOW TABLES` Flink's. */
  readonly list?: boolean;
}

/** What a SHOW statement shows. */
export type ShowWhat =
  | 'TABLES'
  | 'VIEWS'
  | 'MATERIALIZED VIEWS'
  | 'FUNCTIONS'
  | 'JOBS'
  | 'CATALOGS'
  | 'DATABASES'
  | 'CURRENT CATALOG'
  | 'CURRENT DATABASE'
  | 'CREATE TABLE'
  | 'CREATE VIEW'
  | 'COLUMNS'
  // ksqlDB's (also as `LIST ...`)
  | 'STREAMS'
  | 'QUERIES'
  | 'PROPERTIES'
  | 'VARIABLES';


/** `SHOW [ALL] TOPICS [EXTENDED]` (ksqlDB): the Kafka cluster's topics; ALL includes the internal ones. */
export interface ShowTopicsStatement extends StatementBase {
  readonly kind: 'ShowTopicsStatement';
  readonly all: boolean;
  readonly extended: boolean;
}

/**
 * `PRINT 'topic' | name [FROM BEGINNING] [INTERVAL | SAMPLE n] [LIMIT n]` (ksqlDB): a quick look at a Kafka
 * topic's records, from its end (or its beginning), every `interval`-th record, until `limit` were printed.
 */
export interface PrintStatement extends StatementBase {
  readonly kind: 'PrintStatement';
  /** The topic's name, as written (case-sensitive). */
  readonly topic: string;
  readonly topicSpan: Span;
  readonly fromBeginning: boolean;
  /** Print every `interval`-th record (1: every record). */
  readonly interval: number;
  /** Stop after this many records were printed (absent: until cancelled). */
  readonly limit?: number;
}

/** `STOP JOB 'id' [WITH SAVEPOINT]`: stops a running job, first taking a savepoint when asked. */
export interface StopJobStatement extends StatementBase {
  readonly kind: 'StopJobStatement';
  readonly jobId: string;
  readonly withSavepoint: boolean;
}

/** `DESCRIBE name` / `DESC name`. */
export interface DescribeStatement extends StatementBase {
  readonly kind: 'DescribeStatement';
  readonly name: QualifiedName;
  /** ksqlDB's `DESCRIBE [STREAM|TABLE] name EXTENDED`: adds pseudo columns, the topic, formats and queries. */
  readonly extended?: boolean;
}

/** `DESCRIBE JOB 'id'`: a job's status, counters and plan. */
export interface DescribeJobStatement extends StatementBase {
  readonly kind: 'DescribeJobStatement';
  readonly jobId: string;
}

/** `EXPLAIN [PLAN FOR] statement` where the statement is a query, an INSERT or a statement set. */
export interface ExplainStatement extends StatementBase {
  readonly kind: 'ExplainStatement';
  readonly statement: QueryStatement | InsertStatement | StatementSet;
}

// ---------------------------------------------------------------------------------------------------------
// Queries

/**
 * A full query expression: optional CTEs, a body, and optional ORDER BY / LIMIT / OFFSET that apply to the
 * whole body (for `a UNION ALL b ORDER BY x` they apply to the union).
 */
export interface Query extends NodeBase {
  readonly kind: 'Query';
  readonly with: readonly CommonTableExpr[];
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: Expr;
  readonly offset?: Expr;
  /** ksqlDB's `EMIT CHANGES` / `EMIT FINAL` at the end of a query (ksqlDB's `EMIT CHANGES LIMIT n` sets `limit`). */
  readonly emit?: 'CHANGES' | 'FINAL';
  /** A LIMIT after EMIT CHANGES when the query already had one (an error the planner reports). */
  readonly secondLimit?: Expr;
}

/** `name [(col, ...)] AS (query)` inside WITH. */
export interface CommonTableExpr extends NodeBase {
  readonly kind: 'CommonTableExpr';
  readonly name: Identifier;
  readonly columnNames?: readonly Identifier[];
  readonly query: Query;
}

export type QueryBody = Select | SetOperation | Values | Query;

/** `SELECT [DISTINCT|ALL] items [FROM from] [WHERE] [GROUP BY] [HAVING] [WINDOW w AS (...)]`. */
export interface Select extends NodeBase {
  readonly kind: 'Select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: TableRef;
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  /** The WINDOW clause's named windows (`OVER w` refers to them). */
  readonly windows?: readonly NamedWindow[];
  /** ksqlDB's `WINDOW TUMBLING|HOPPING|SESSION (...)` after FROM (a windowed GROUP BY). */
  readonly ksqlWindow?: KsqlWindow;
  /** ksqlDB's `PARTITION BY expr, ...` (after GROUP BY): re-keys a stream. */
  readonly partitionBy?: readonly Expr[];
}

/**
 * ksqlDB's window clause: `TUMBLING (SIZE n unit [, RETENTION n unit] [, GRACE PERIOD n unit])`,
 * `HOPPING (SIZE n unit, ADVANCE BY n unit [, RETENTION ..] [, GRACE PERIOD ..])`,
 * `SESSION (n unit [, RETENTION ..] [, GRACE PERIOD ..])`. Durations in milliseconds.
 */
export interface KsqlWindow extends NodeBase {
  readonly kind: 'KsqlWindow';
  readonly type: 'TUMBLING' | 'HOPPING' | 'SESSION';
  /** SIZE (SESSION: the gap). */
  readonly sizeMs: number;
  /** HOPPING's ADVANCE BY. */
  readonly advanceMs?: number;
  readonly retentionMs?: number;
  /** Absent: ksqlDB's default grace period. */
  readonly graceMs?: number;
}

/** `w AS (PARTITION BY .. ORDER BY .. [frame])` in a WINDOW clause. */
export interface NamedWindow extends NodeBase {
  readonly kind: 'NamedWindow';
  readonly name: Identifier;
  readonly spec: OverClause;
}

/** `left UNION [ALL] right` (also INTERSECT, EXCEPT/MINUS). Left-associative. */
export interface SetOperation extends NodeBase {
  readonly kind: 'SetOperation';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

/** `VALUES (1, 'a'), (2, 'b')`. */
export interface Values extends NodeBase {
  readonly kind: 'Values';
  readonly rows: readonly (readonly Expr[])[];
}

export type SelectItem = SelectExpr | SelectStar;

/** `expr [[AS] alias]`. */
export interface SelectExpr extends NodeBase {
  readonly kind: 'SelectExpr';
  readonly expr: Expr;
  readonly alias?: Identifier;
}

/** `*` or `t.*`. */
export interface SelectStar extends NodeBase {
  readonly kind: 'SelectStar';
  readonly qualifier?: QualifiedName;
}

/** `expr [ASC|DESC] [NULLS FIRST|LAST]`. */
export interface OrderItem extends NodeBase {
  readonly kind: 'OrderItem';
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst?: boolean;
}

export type TableRef = TableName | SubqueryRef | TableFunctionRef | JoinRef;

/**
 * `/*+ OPTIONS('key' = 'value', ...) *\/` right after a table name: Flink's dynamic table options, which
 * override the table's WITH options for one statement. `span` covers the whole hint comment.
 */
export interface OptionsHint extends NodeBase {
  readonly kind: 'OptionsHint';
  readonly options: readonly TableOption[];
}

/** A named table or view: `rides [/*+ OPTIONS(...) *\/] [AS] r [(c1, c2)]`, optionally `FOR SYSTEM_TIME AS OF expr`. */
export interface TableName extends NodeBase {
  readonly kind: 'TableName';
  readonly name: QualifiedName;
  /** Dynamic options of the table for this statement. */
  readonly hint?: OptionsHint;
  readonly alias?: Identifier;
  readonly columnAliases?: readonly Identifier[];
  readonly forSystemTimeAsOf?: Expr;
}

/** `(query) [AS] alias`. */
export interface SubqueryRef extends NodeBase {
  readonly kind: 'SubqueryRef';
  readonly query: Query;
  readonly alias?: Identifier;
  readonly columnAliases?: readonly Identifier[];
  readonly lateral: boolean;
}

/**
 * A table-valued function in FROM: `TABLE(TUMBLE(TABLE rides, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) [AS] w`
 * (and `LATERAL TABLE(f(x))`). Window TVFs are recognized by name in the binder.
 */
export interface TableFunctionRef extends NodeBase {
  readonly kind: 'TableFunctionRef';
  readonly name: QualifiedName;
  readonly args: readonly TableFunctionArg[];
  readonly alias?: Identifier;
  readonly columnAliases?: readonly Identifier[];
  readonly lateral: boolean;
}

/** One argument of a table function, positional or named (`SIZE => INTERVAL '1' HOUR`). */
export interface TableFunctionArg extends NodeBase {
  readonly kind: 'TableFunctionArg';
  readonly name?: Identifier;
  readonly value: TableArg | DescriptorArg | Expr;
}

/** `TABLE name [PARTITION BY k, ...]` as a table function argument. */
export interface TableArg extends NodeBase {
  readonly kind: 'TableArg';
  readonly table: QualifiedName;
  readonly partitionBy: readonly Expr[];
}

/** `DESCRIPTOR(col, ...)`. */
export interface DescriptorArg extends NodeBase {
  readonly kind: 'DescriptorArg';
  readonly columns: readonly Identifier[];
}

/** `left [INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]|CROSS] JOIN right [ON cond | USING (cols)]`; also `a, b`. */
export interface JoinRef extends NodeBase {
  readonly kind: 'JoinRef';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
  readonly left: TableRef;
  readonly right: TableRef;
  readonly on?: Expr;
  readonly using?: readonly Identifier[];
  /** ksqlDB's stream-stream join window: `WITHIN n unit` or `WITHIN (before, after)` [GRACE PERIOD n unit]. */
  readonly within?: KsqlWithin;
}

/** `WITHIN (before, after) [GRACE PERIOD g]`: a right row joins when left.ROWTIME - before <= right.ROWTIME <= left.ROWTIME + after. */
export interface KsqlWithin extends NodeBase {
  readonly kind: 'KsqlWithin';
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | ColumnRef
  | Literal
  | IntervalLiteral
  | TypedLiteral
  | BinaryExpr
  | UnaryExpr
  | IsExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | FunctionCall
  | ExtractExpr
  | TrimExpr
  | TimeFloorExpr
  | TimeUnitArg
  | ExistsExpr
  | ScalarSubquery
  | ParameterExpr
  | StarExpr;

/** A column reference, possibly qualified: `ts`, `r.ts`, `` `my col` ``. */
export interface ColumnRef extends NodeBase {
  readonly kind: 'ColumnRef';
  readonly name: QualifiedName;
}

/**
 * A literal. Numbers keep their text so DECIMAL literals stay exact: `isInteger` for `42`, `isApprox` for
 * `1e3`, otherwise an exact decimal like `1.5`.
 */
export type Literal =
  | (NodeBase & { readonly kind: 'Literal'; readonly type: 'number'; readonly text: string; readonly isInteger: boolean; readonly isApprox: boolean })
  | (NodeBase & { readonly kind: 'Literal'; readonly type: 'string'; readonly value: string })
  | (NodeBase & { readonly kind: 'Literal'; readonly type: 'boolean'; readonly value: boolean })
  | (NodeBase & { readonly kind: 'Literal'; readonly type: 'null' });

/** Units of intervals, EXTRACT, FLOOR(.. TO ..), TIMESTAMPDIFF/TIMESTAMPADD. `MINUTES` etc. are normalized to singular. */
export type TimeUnit =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'DAY'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'NANOSECOND'
  | 'DOW'
  | 'DOY'
  | 'EPOCH'
  | 'CENTURY'
  | 'MILLENNIUM'
  | 'DECADE';

/**
 * `INTERVAL '10' MINUTE[S]`, `INTERVAL '1:30' HOUR TO MINUTE`, `INTERVAL '-2' DAY`, `INTERVAL '5' SECOND(3)`.
 * `value` is the quoted text; `negative` is true for `-INTERVAL '1' DAY` folded by the parser or a leading
 * minus inside the quotes. The binder converts it (milliseconds or months) and reports malformed text.
 */
export interface IntervalLiteral extends NodeBase {
  readonly kind: 'IntervalLiteral';
  readonly value: string;
  readonly from: TimeUnit;
  readonly to?: TimeUnit;
}

/** `TIMESTAMP '2024-01-01 00:00:00'`, `DATE '2024-01-01'`, `TIME '12:00:00'`, `TIMESTAMP_LTZ '...'`. */
export interface TypedLiteral extends NodeBase {
  readonly kind: 'TypedLiteral';
  readonly type: 'TIMESTAMP' | 'TIMESTAMP_LTZ' | 'DATE' | 'TIME';
  readonly value: string;
}

export type BinaryOperator =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '||'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'IS DISTINCT FROM'
  | 'IS NOT DISTINCT FROM';

/** `left op right`. `!=` is normalized to `<>`. Precedence: OR < AND < NOT < comparison < || , + - < * / % < unary. */
export interface BinaryExpr extends NodeBase {
  readonly kind: 'BinaryExpr';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
}

/** `-x`, `+x`, `NOT x`. */
export interface UnaryExpr extends NodeBase {
  readonly kind: 'UnaryExpr';
  readonly op: '-' | '+' | 'NOT';
  readonly operand: Expr;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`. */
export interface IsExpr extends NodeBase {
  readonly kind: 'IsExpr';
  readonly operand: Expr;
  readonly test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
  readonly negated: boolean;
}

/** `x [NOT] BETWEEN [SYMMETRIC|ASYMMETRIC] low AND high`. */
export interface BetweenExpr extends NodeBase {
  readonly kind: 'BetweenExpr';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly symmetric: boolean;
}

/** `x [NOT] IN (a, b, c)`. */
export interface InListExpr extends NodeBase {
  readonly kind: 'InListExpr';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

/** `x [NOT] IN (SELECT ...)`. */
export interface InSubqueryExpr extends NodeBase {
  readonly kind: 'InSubqueryExpr';
  readonly operand: Expr;
  readonly query: Query;
  readonly negated: boolean;
}

/** `x [NOT] LIKE pattern [ESCAPE 'c']`, `x [NOT] SIMILAR TO pattern`. */
export interface LikeExpr extends NodeBase {
  readonly kind: 'LikeExpr';
  readonly op: 'LIKE' | 'SIMILAR TO';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly negated: boolean;
}

/** `CASE [operand] WHEN .. THEN .. [ELSE ..] END`. */
export interface CaseExpr extends NodeBase {
  readonly kind: 'CaseExpr';
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

/** `CAST(x AS type)` or `TRY_CAST(x AS type)`. */
export interface CastExpr extends NodeBase {
  readonly kind: 'CastExpr';
  readonly operand: Expr;
  readonly type: DataType;
  readonly typeSpan: Span;
  readonly safe: boolean;
}

/**
 * A function call: `f(a, b)`, `COUNT(*)` (`star`), `COUNT(DISTINCT x)`, `SUM(x) FILTER (WHERE c)`,
 * `f(...) OVER (...)`, and niladic forms written without parentheses (`CURRENT_TIMESTAMP`, `LOCALTIMESTAMP`,
 * `CURRENT_DATE`, `CURRENT_TIME`, `LOCALTIME`) with `noParens`.
 * Keyword-named functions are calls too: `IF(c, a, b)`, `LEFT(s, n)`, `RIGHT`, `MOD`, `TRUNCATE`,
 * `POSITION(a IN b)` (args [a, b]), `SUBSTRING(s FROM a [FOR b])` (args [s, a, b?]), `OVERLAY`, and the legacy
 * group-window functions `TUMBLE(ts, i)`, `HOP(ts, slide, size)`, `SESSION(ts, gap)`, `TUMBLE_START(...)`.
 * The name is upper-cased unless it was quoted.
 */
export interface FunctionCall extends NodeBase {
  readonly kind: 'FunctionCall';
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly noParens: boolean;
  readonly filter?: Expr;
  readonly over?: OverClause;
}

/** `OVER (PARTITION BY .. ORDER BY .. [ROWS|RANGE BETWEEN .. AND ..])` or `OVER w`. */
export interface OverClause extends NodeBase {
  readonly kind: 'OverClause';
  readonly windowName?: Identifier;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
}

/** A frame bound: `UNBOUNDED PRECEDING`, `CURRENT ROW`, `expr PRECEDING`, `expr FOLLOWING`. */
export interface FrameBound extends NodeBase {
  readonly kind: 'FrameBound';
  readonly type: 'UNBOUNDED_PRECEDING' | 'UNBOUNDED_FOLLOWING' | 'CURRENT_ROW' | 'PRECEDING' | 'FOLLOWING';
  readonly offset?: Expr;
}

/** `ROWS|RANGE BETWEEN start AND end` (a single bound means `BETWEEN bound AND CURRENT ROW`). */
export interface WindowFrame extends NodeBase {
  readonly kind: 'WindowFrame';
  readonly units: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** `EXTRACT(unit FROM x)`. */
export interface ExtractExpr extends NodeBase {
  readonly kind: 'ExtractExpr';
  readonly unit: TimeUnit;
  readonly operand: Expr;
}

/** `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` or `TRIM(s)`. */
export interface TrimExpr extends NodeBase {
  readonly kind: 'TrimExpr';
  readonly mode: 'BOTH' | 'LEADING' | 'TRAILING';
  readonly chars?: Expr;
  readonly operand: Expr;
}

/** `FLOOR(x TO unit)` / `CEIL(x TO unit)` on temporal values. (`FLOOR(x)` alone is a FunctionCall.) */
export interface TimeFloorExpr extends NodeBase {
  readonly kind: 'TimeFloorExpr';
  readonly fn: 'FLOOR' | 'CEIL';
  readonly operand: Expr;
  readonly unit: TimeUnit;
}

/** A bare time unit as the first argument of `TIMESTAMPDIFF(unit, a, b)` / `TIMESTAMPADD(unit, n, ts)`. */
export interface TimeUnitArg extends NodeBase {
  readonly kind: 'TimeUnitArg';
  readonly unit: TimeUnit;
}

/** `EXISTS (query)`. */
export interface ExistsExpr extends NodeBase {
  readonly kind: 'ExistsExpr';
  readonly query: Query;
}

/** `(query)` used as a value. */
export interface ScalarSubquery extends NodeBase {
  readonly kind: 'ScalarSubquery';
  readonly query: Query;
}

/**
 * A parameter of a prepared statement: `$n` (Postgres; `index` is n), or `?` (`index` counts the `?`s from 1
 * in order of appearance). A statement uses one kind only. The parser leaves `value` out; the caller that has
 * the values (the Postgres extended protocol's Bind) attaches them with `withParameterValues`, and the binder
 * turns each parameter into a typed literal.
 */
export interface ParameterExpr extends NodeBase {
  readonly kind: 'ParameterExpr';
  readonly index: number;
  readonly marker: '$' | '?';
  readonly value?: ParameterValue;
}

/** The value bound to a parameter: its text (as Postgres sends values in text format), or SQL NULL. */
export interface ParameterValue {
  /** The value as text, converted to the parameter's type by the binder; null is SQL NULL. */
  readonly text: string | null;
  /**
   * The type the client declared (Parse's parameter types). Absent: the type the parameter's context gives
   * it (the other operand of a comparison, the target of a CAST, ...), else STRING. A DECIMAL without a
   * precision takes the precision and scale of the value's text.
   */
  readonly type?: DataType;
}

/** A bare `*` where an expression is expected (only inside COUNT(*) normally, which sets `star` instead). */
export interface StarExpr extends NodeBase {
  readonly kind: 'StarExpr';
}

/** The result of parsing a script: the statements that parsed, and every diagnostic found. */
export interface ParseResult {
  readonly statements: readonly Statement[];
  readonly diagnostics: readonly import('../common/errors.js').Diagnostic[];
}
