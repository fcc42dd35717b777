/**
 * fast-check arbitraries for fuzzing the planner: a fixed catalog (tables, a view, sinks), grammar-shaped
 * random SQL over it (mostly well-formed, deliberately mixing valid and invalid names, arities, types and
 * windows), and token-level mutation of a corpus of valid statements.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sqlLexer, KEYWORDS } from '../../src/parser/lexer.js';
import { builtinFunctions } from '../../src/functions/registry.js';

// ---------------------------------------------------------------------------------------------------------
// The catalog

/** A path that never exists: planning must not need the files. */
export const NO_DIR = '/nonexistent/eddy-fuzz';

/** DDL run once per Eddy before fuzzing (tables of every kind of column, a view, sinks). */
export const FUZZ_DDL: readonly string[] = [
  `CREATE TABLE orders (
     order_id BIGINT, customer STRING, amount DECIMAL(10, 2), qty INT, price DOUBLE, paid BOOLEAN,
     small SMALLINT, tiny TINYINT, ratio FLOAT, code CHAR(3), note VARCHAR(20), blob BYTES,
     order_date DATE, order_time TIME, ltz TIMESTAMP_LTZ(3), plain_ts TIMESTAMP(3),
     tags ARRAY<STRING>, attrs MAP<STRING, INT>, info ROW<city STRING, zip INT>,
     ts TIMESTAMP(3),
     total AS price * qty,
     pt AS PROCTIME(),
     WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
   ) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/orders.json', 'format' = 'json')`,
  `CREATE TABLE payments (
     pay_id BIGINT, order_id BIGINT, method STRING, paid_amount DOUBLE, pts TIMESTAMP_LTZ(3),
     WATERMARK FOR pts AS pts - INTERVAL '1' SECOND
   ) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/payments.json', 'format' = 'json')`,
  `CREATE TABLE rates (
     currency STRING, rate DOUBLE, rts TIMESTAMP(3),
     PRIMARY KEY (currency) NOT ENFORCED,
     WATERMARK FOR rts AS rts
   ) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/rates.json', 'format' = 'json')`,
  `CREATE TABLE gen (id INT, name STRING, score DOUBLE, created TIMESTAMP(3))
     WITH ('connector' = 'datagen', 'number-of-rows' = '10', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '10')`,
  `CREATE TABLE csv_in (a INT, b STRING) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/in.csv', 'format' = 'csv')`,
  `CREATE VIEW big_orders AS SELECT order_id, customer, amount, ts, pt FROM orders WHERE amount > 100`,
  `CREATE VIEW per_customer (who, n) AS SELECT customer, COUNT(*) FROM orders GROUP BY customer`,
  `CREATE TABLE sink_json (a STRING, b BIGINT, c DOUBLE) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/out.json', 'format' = 'json')`,
  `CREATE TABLE sink_win (window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${NO_DIR}/win.csv', 'format' = 'csv')`,
  `CREATE TABLE sink_print (k STRING, v BIGINT) WITH ('connector' = 'print')`,
  `CREATE TABLE sink_hole (x INT) WITH ('connector' = 'blackhole')`,
  `CREATE TABLE sink_sqlite (k STRING, v BIGINT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${NO_DIR}/db.sqlite', 'table-name' = 't')`,
];

interface TableInfo {
  readonly name: string;
  readonly cols: readonly string[];
  /** Columns that can be a window's time column (valid), and ones that cannot (plain timestamps, others). */
  readonly rowtime: readonly string[];
  readonly keyish: readonly string[];
}

const TABLES: readonly TableInfo[] = [
  {
    name: 'orders',
    cols: ['order_id', 'customer', 'amount', 'qty', 'price', 'paid', 'small', 'tiny', 'ratio', 'code', 'note', 'blob', 'order_date', 'order_time', 'ltz', 'plain_ts', 'tags', 'attrs', 'info', 'ts', 'total', 'pt'],
    rowtime: ['ts', 'pt'],
    keyish: ['customer', 'order_id', 'paid', 'code'],
  },
  { name: 'payments', cols: ['pay_id', 'order_id', 'method', 'paid_amount', 'pts'], rowtime: ['pts'], keyish: ['method', 'order_id'] },
  { name: 'rates', cols: ['currency', 'rate', 'rts'], rowtime: ['rts'], keyish: ['currency'] },
  { name: 'gen', cols: ['id', 'name', 'score', 'created'], rowtime: [], keyish: ['id', 'name'] },
  { name: 'csv_in', cols: ['a', 'b'], rowtime: [], keyish: ['a', 'b'] },
  { name: 'big_orders', cols: ['order_id', 'customer', 'amount', 'ts', 'pt'], rowtime: ['ts', 'pt'], keyish: ['customer'] },
  { name: 'per_customer', cols: ['who', 'n'], rowtime: [], keyish: ['who'] },
];

const SINKS = ['sink_json', 'sink_win', 'sink_print', 'sink_hole', 'sink_sqlite', 'gen', 'big_orders', 'no_such_sink', 'orders'];
const SINK_COLS = ['a', 'b', 'c', 'window_start', 'n', 'k', 'v', 'x', 'zz'];

const ALL_COLS = [...new Set(TABLES.flatMap((t) => t.cols))];
const UNKNOWN_NAMES = ['nope', 'Order_ID', 'window_start', 'window_time', '`weird name`', '`select`', 'x1', 'ts2', '`ts`', 'orders', 'EXPR$0'];

export const FUNCTION_NAMES: readonly string[] = builtinFunctions()
  .names()
  .filter((n) => /^[A-Z_][A-Z0-9_]*$/.test(n));
const AGGREGATES = ['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'SUM0', 'STDDEV', 'STDDEV_POP', 'STDDEV_SAMP', 'VARIANCE', 'VAR_POP', 'VAR_SAMP', 'FIRST_VALUE', 'LAST_VALUE', 'LISTAGG'];
const BOGUS_FUNCTIONS = ['NO_SUCH_FN', 'COUNTT', 'TUMBLE', 'HOP', 'SESSION', 'CUMULATE', 'TUMBLE_START', 'TUMBLE_END', 'TUMBLE_ROWTIME', 'HOP_START', 'SESSION_END', 'DESCRIPTOR', 'ROW_NUMBER', 'RANK', 'LAG', 'LEAD', 'ROW', 'ARRAY', 'MAP', 'CARDINALITY', 'ELEMENT', 'JSON_VALUE'];

// ---------------------------------------------------------------------------------------------------------
// Leaves

const TIME_UNITS = ['SECOND', 'SECONDS', 'MINUTE', 'MINUTES', 'HOUR', 'DAY', 'MONTH', 'YEAR', 'MILLISECOND', 'WEEK', 'QUARTER', 'EPOCH', 'DOW', 'MICROSECOND'];

export const intervalArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('1', '5', '10', '90', '0', '-3', '1.5', 'x', '', '99999999999', '1:30', '1 02:03:04'), fc.constantFrom(...TIME_UNITS)).map(([v, u]) => `INTERVAL '${v}' ${u}`) },
  fc.constantFrom(
    "INTERVAL '1:30' HOUR TO MINUTE",
    "INTERVAL '1 10:00:00' DAY TO SECOND",
    "INTERVAL '1-2' YEAR TO MONTH",
    "INTERVAL -'5' MINUTE",
    "INTERVAL '5' SECOND(3)",
    "-INTERVAL '1' DAY",
    "INTERVAL '2' HOURS + INTERVAL '1' MINUTE",
  ),
);

/** Intervals a window accepts. */
const goodIntervalArb: fc.Arbitrary<string> = fc.tuple(fc.constantFrom('1', '5', '10', '90'), fc.constantFrom('SECOND', 'MINUTES', 'HOUR', 'DAY')).map(([v, u]) => `INTERVAL '${v}' ${u}`);

const literalArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '1', '-1', '42', '3.14', '1e3', '.5', '1.', '2147483648', '9223372036854775807', '9223372036854775808', '99999999999999999999999999999999999999999', '0.000000000000000000000000000000001', '1e400'),
  fc.constantFrom("'a'", "''", "'it''s'", "'2024-01-01'", "'2024-01-01 10:00:00'", "'1'", "'true'", "'é€𝄞'"),
  fc.constantFrom('TRUE', 'FALSE', 'NULL', 'UNKNOWN', '?'),
  fc.constantFrom("DATE '2024-02-29'", "DATE '2023-02-30'", "TIME '10:11:12'", "TIME '25:00:00'", "TIMESTAMP '2024-01-01 00:00:00'", "TIMESTAMP '2024-01-01 00:00:00.123456789'", "TIMESTAMP 'garbage'", "TIMESTAMP_LTZ '2024-01-01 00:00:00'", "DATE ''"),
  fc.constantFrom('CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME', 'CURRENT_ROW_TIMESTAMP()', 'NOW()', 'PROCTIME()'),
  intervalArb,
);

const windowIntervalArb = fc.oneof({ weight: 5, arbitrary: goodIntervalArb }, { weight: 1, arbitrary: intervalArb }, { weight: 1, arbitrary: literalArb });

export const typeArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'DOUBLE', 'DOUBLE PRECISION', 'FLOAT', 'REAL', 'BOOLEAN', 'STRING', 'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'DECIMAL', 'VARBINARY'),
  fc.constantFrom('DECIMAL(10, 2)', 'DECIMAL(38, 18)', 'DECIMAL(1, 0)', 'DECIMAL(0, 0)', 'DECIMAL(39, 2)', 'DECIMAL(5, 7)', 'NUMERIC(3)', 'DEC(2, 1)'),
  fc.constantFrom('VARCHAR(10)', 'VARCHAR(0)', 'CHAR(1)', 'CHAR(99999999999)', 'BINARY(4)', 'TIME(3)', 'TIME(10)', 'TIMESTAMP(0)', 'TIMESTAMP(3)', 'TIMESTAMP(9)', 'TIMESTAMP(10)', 'TIMESTAMP_LTZ(3)', 'TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP WITHOUT TIME ZONE', 'INT NOT NULL', 'STRING NULL'),
  fc.constantFrom('ARRAY<INT>', 'MAP<STRING, INT>', 'ROW<a INT, b STRING>', 'ARRAY<ARRAY<DOUBLE>>', 'ROW<>', 'MAP<INT>', 'ARRAY<>', 'FOO', 'INTS', 'VARCHAR(1, 2)', 'INT(3)', 'BOOLEAN PRECISION'),
);

// ---------------------------------------------------------------------------------------------------------
// Expressions

/** The names an expression may reference: unqualified and qualified column references of its FROM. */
export interface Scope {
  readonly refs: readonly string[];
  /** Time columns, for legacy GROUP BY TUMBLE(...) and window functions. */
  readonly times: readonly string[];
  readonly keys: readonly string[];
}

const BIN_OPS = ['+', '-', '*', '/', '%', '||', '=', '<>', '!=', '<', '<=', '>', '>=', 'AND', 'OR'];

const exprCache = new Map<string, fc.Arbitrary<string>>();

/** A random expression over `scope`, of bounded depth; `subqueries` allows IN (SELECT ..), EXISTS and scalar subqueries. */
export function exprArb(scope: Scope, maxDepth = 3): fc.Arbitrary<string> {
  const key = `${scope.refs.join(',')}|${scope.times.join(',')}|${maxDepth}`;
  const cached = exprCache.get(key);
  if (cached) return cached;
  const refs = scope.refs.length > 0 ? scope.refs : ['nope'];
  const colArb = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...refs) },
    { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_NAMES, ...ALL_COLS) },
    { weight: 1, arbitrary: fc.constantFrom(...refs).map((r) => (r.includes('.') ? r.split('.').reverse().join('.') : `t.${r}`)) },
  );
  const timeArb = fc.constantFrom(...(scope.times.length > 0 ? scope.times : refs));
  const { expr } = fc.letrec<{ expr: string; leaf: string; node: string }>((tie) => {
    const e = tie('expr');
    const args = (min: number, max: number) => fc.array(e, { minLength: min, maxLength: max }).map((a) => a.join(', '));
    return {
      expr: fc.oneof({ maxDepth, depthIdentifier: `expr-${key}`, withCrossShrink: true }, tie('leaf'), tie('node'), tie('node')),
      leaf: fc.oneof({ weight: 5, arbitrary: colArb }, { weight: 3, arbitrary: literalArb }),
      node: fc.oneof(
        { weight: 1, arbitrary: fc.tuple(e, fc.constantFrom(...BIN_OPS), e).map(([a, op, b]) => `${a} ${op} ${b}`) },
        { weight: 6, arbitrary: fc.tuple(e, fc.constantFrom(...BIN_OPS), e).map(([a, op, b]) => `(${a} ${op} ${b})`) },
        fc.tuple(fc.constantFrom('NOT ', '-', '+', 'NOT NOT '), e).map(([op, a]) => `(${op}${a})`),
        fc.tuple(e, fc.constantFrom('IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT FALSE', 'IS UNKNOWN')).map(([a, p]) => `(${a} ${p})`),
        fc.tuple(e, fc.constantFrom('IS DISTINCT FROM', 'IS NOT DISTINCT FROM'), e).map(([a, p, b]) => `(${a} ${p} ${b})`),
        fc.tuple(e, fc.constantFrom('BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC'), e, e).map(([a, k, b, c]) => `(${a} ${k} ${b} AND ${c})`),
        fc.tuple(e, fc.constantFrom('IN', 'NOT IN'), args(1, 3)).map(([a, k, l]) => `(${a} ${k} (${l}))`),
        fc.tuple(e, fc.constantFrom('LIKE', 'NOT LIKE', 'SIMILAR TO'), e, fc.option(fc.constantFrom("'!'", "'ab'", "''", '1'))).map(([a, k, b, esc]) => `(${a} ${k} ${b}${esc ? ` ESCAPE ${esc}` : ''})`),
        fc.tuple(fc.array(fc.tuple(e, e), { minLength: 1, maxLength: 3 }), fc.option(e)).map(([ws, el]) => `CASE ${ws.map(([w, t]) => `WHEN ${w} THEN ${t}`).join(' ')}${el ? ` ELSE ${el}` : ''} END`),
        fc.tuple(e, fc.array(fc.tuple(e, e), { minLength: 1, maxLength: 2 }), fc.option(e)).map(([s, ws, el]) => `CASE ${s} ${ws.map(([w, t]) => `WHEN ${w} THEN ${t}`).join(' ')}${el ? ` ELSE ${el}` : ''} END`),
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom('CAST', 'TRY_CAST'), e, typeArb).map(([c, a, t]) => `${c}(${a} AS ${t})`) },
        { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...FUNCTION_NAMES), args(0, 3)).map(([f, a]) => `${f}(${a})`) },
        fc.tuple(fc.constantFrom(...BOGUS_FUNCTIONS), args(0, 3)).map(([f, a]) => `${f}(${a})`),
        { weight: 3, arbitrary: aggregateArb(e) },
        fc.tuple(fc.constantFrom(...TIME_UNITS), e).map(([u, a]) => `EXTRACT(${u} FROM ${a})`),
        fc.tuple(fc.constantFrom('FLOOR', 'CEIL'), e, fc.constantFrom(...TIME_UNITS)).map(([f, a, u]) => `${f}(${a} TO ${u})`),
        fc.tuple(fc.constantFrom('BOTH', 'LEADING', 'TRAILING', ''), fc.option(e), e).map(([w, c, s]) => `TRIM(${w} ${c ?? ''} FROM ${s})`),
        fc.tuple(e, e, fc.option(e)).map(([s, f, n]) => `SUBSTRING(${s} FROM ${f}${n ? ` FOR ${n}` : ''})`),
        fc.tuple(e, e).map(([a, b]) => `POSITION(${a} IN ${b})`),
        fc.tuple(fc.constantFrom('TIMESTAMPADD', 'TIMESTAMPDIFF'), fc.constantFrom(...TIME_UNITS), e, e).map(([f, u, a, b]) => `${f}(${u}, ${a}, ${b})`),
        fc.tuple(colArb, fc.constantFrom('[1]', "['k']", '[0]', '.city', '.nope', '[NULL]')).map(([a, s]) => `${a}${s}`),
        fc.tuple(timeArb, intervalArb, fc.constantFrom('TUMBLE_START', 'TUMBLE_END', 'TUMBLE_ROWTIME', 'TUMBLE_PROCTIME', 'SESSION_START', 'HOP_END')).map(([t, i, f]) => `${f}(${t}, ${i})`),
        fc.tuple(fc.constantFrom('SUM', 'COUNT', 'AVG', 'MIN', 'MAX', 'ROW_NUMBER', 'LAG', 'FIRST_VALUE'), e, fc.option(colArb), fc.option(timeArb), fc.constantFrom('', 'ROWS BETWEEN 2 PRECEDING AND CURRENT ROW', "RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW", 'ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING', 'ROWS 5 PRECEDING')).map(
          ([f, a, p, o, fr]) => `${f}(${a}) OVER (${p ? `PARTITION BY ${p} ` : ''}${o ? `ORDER BY ${o} ` : ''}${fr})`,
        ),
        fc.tuple(e, fc.constantFrom('IN', 'NOT IN'), subqueryArb).map(([a, k, q]) => `(${a} ${k} (${q}))`),
        fc.tuple(fc.constantFrom('EXISTS', 'NOT EXISTS'), subqueryArb).map(([k, q]) => `${k} (${q})`),
        subqueryArb.map((q) => `(${q})`),
        e.map((a) => `(${a})`),
      ),
    };
  });
  exprCache.set(key, expr);
  return expr;
}

// ---------------------------------------------------------------------------------------------------------
// Typed expressions: well-typed most of the time, so binding succeeds and the optimizer and the physical
// planner see the expression.

type Cat = 'num' | 'str' | 'bool' | 'ts' | 'date';

/** The kind of each catalog column, by name (names are used consistently across the fuzz tables). */
const COLUMN_CATS: Readonly<Record<string, Cat>> = {
  order_id: 'num', amount: 'num', qty: 'num', price: 'num', small: 'num', tiny: 'num', ratio: 'num', total: 'num',
  pay_id: 'num', paid_amount: 'num', rate: 'num', id: 'num', score: 'num', a: 'num', n: 'num', cnt: 'num', mx: 'num',
  customer: 'str', code: 'str', note: 'str', method: 'str', currency: 'str', name: 'str', b: 'str', who: 'str',
  paid: 'bool',
  ts: 'ts', plain_ts: 'ts', ltz: 'ts', pt: 'ts', pts: 'ts', rts: 'ts', created: 'ts', window_start: 'ts', window_end: 'ts', window_time: 'ts',
  order_date: 'date',
};

const catOf = (ref: string): Cat | undefined => COLUMN_CATS[ref.slice(ref.lastIndexOf('.') + 1)];

const typedCache = new Map<string, Record<Cat, fc.Arbitrary<string>>>();

/** Expressions of each kind over `scope`; a kind with no column falls back to literals and functions. */
export function typedExprArb(scope: Scope, maxDepth = 3): Record<Cat, fc.Arbitrary<string>> {
  const key = `${scope.refs.join(',')}|${maxDepth}`;
  const cached = typedCache.get(key);
  if (cached) return cached;
  const cols = (c: Cat, fallback: readonly string[]) => {
    const refs = scope.refs.filter((r) => catOf(r) === c);
    return fc.constantFrom(...(refs.length > 0 ? refs : fallback));
  };
  const d = { maxDepth, depthIdentifier: `typed-${key}` };
  const arbs = fc.letrec<Record<Cat, string>>((tie) => {
    const num = tie('num');
    const str = tie('str');
    const bool = tie('bool');
    const ts = tie('ts');
    const date = tie('date');
    const cmp = fc.constantFrom('=', '<>', '<', '<=', '>', '>=', 'IS DISTINCT FROM');
    return {
      num: fc.oneof(
        d,
        { weight: 4, arbitrary: cols('num', ['1']) },
        fc.constantFrom('0', '1', '2', '-7', '2.50', '1e2', 'CAST(NULL AS INT)', '2147483647', '9223372036854775807'),
        { weight: 3, arbitrary: fc.tuple(num, fc.constantFrom('+', '-', '*', '/', '%'), num).map(([a, o, b]) => `(${a} ${o} ${b})`) },
        fc.tuple(fc.constantFrom('ABS', 'CEIL', 'FLOOR', 'SIGN', 'SQRT', 'LN', 'EXP', 'NEGATE', 'DEGREES'), num).map(([f, a]) => `${f}(${a})`),
        fc.tuple(fc.constantFrom('MOD', 'POWER', 'ROUND', 'TRUNCATE', 'LOG', 'ATAN2'), num, num).map(([f, a, b]) => `${f}(${a}, ${b})`),
        fc.tuple(fc.constantFrom('GREATEST', 'LEAST', 'COALESCE'), num, num).map(([f, a, b]) => `${f}(${a}, ${b})`),
        fc.tuple(fc.constantFrom('CHAR_LENGTH', 'CHARACTER_LENGTH', 'ASCII'), str).map(([f, a]) => `${f}(${a})`),
        fc.tuple(fc.constantFrom('HOUR', 'YEAR', 'MINUTE', 'DAYOFWEEK', 'WEEK'), ts).map(([f, a]) => `${f}(${a})`),
        fc.tuple(fc.constantFrom('YEAR', 'MONTH', 'DAY', 'HOUR', 'EPOCH', 'DOW', 'MILLISECOND'), fc.oneof(ts, date)).map(([u, a]) => `EXTRACT(${u} FROM ${a})`),
        fc.tuple(fc.constantFrom('SECOND', 'MINUTE', 'DAY', 'MONTH'), ts, ts).map(([u, a, b]) => `TIMESTAMPDIFF(${u}, ${a}, ${b})`),
        fc.tuple(str, str).map(([a, b]) => `POSITION(${a} IN ${b})`),
        fc.tuple(bool, num, num).map(([c, a, b]) => `CASE WHEN ${c} THEN ${a} ELSE ${b} END`),
        fc.tuple(fc.oneof(num, str), fc.constantFrom('INT', 'BIGINT', 'DOUBLE', 'DECIMAL(10, 2)', 'TINYINT', 'FLOAT', 'DECIMAL(38, 0)', 'SMALLINT'), fc.constantFrom('CAST', 'TRY_CAST')).map(([a, t, c]) => `${c}(${a} AS ${t})`),
        fc.tuple(num, num).map(([a, b]) => `IF(${a} > ${b}, ${a}, ${b})`),
        fc.tuple(num, num).map(([a, b]) => `NULLIF(${a}, ${b})`),
        ts.map((a) => `UNIX_TIMESTAMP(CAST(${a} AS STRING))`),
        str.map((a) => `INSTR(${a}, 'a')`),
      ),
      str: fc.oneof(
        d,
        { weight: 4, arbitrary: cols('str', ["'s'"]) },
        fc.constantFrom("'abc'", "''", "'A%'", "'2024-01-01 10:00:00'", "'é'", 'CAST(NULL AS STRING)'),
        { weight: 2, arbitrary: fc.tuple(str, str).map(([a, b]) => `(${a} || ${b})`) },
        fc.tuple(fc.constantFrom('UPPER', 'LOWER', 'INITCAP', 'REVERSE', 'LTRIM', 'RTRIM', 'MD5', 'SHA256', 'TO_BASE64'), str).map(([f, a]) => `${f}(${a})`),
        fc.tuple(fc.constantFrom('CONCAT', 'COALESCE', 'IFNULL', 'CONCAT_WS'), str, str).map(([f, a, b]) => `${f}(${a}, ${b})`),
        fc.tuple(str, num, fc.option(num)).map(([a, b, c]) => `SUBSTRING(${a} FROM ${b}${c ? ` FOR ${c}` : ''})`),
        fc.tuple(str, num).map(([a, b]) => `SUBSTR(${a}, ${b})`),
        fc.tuple(fc.constantFrom('LPAD', 'RPAD'), str, num, str).map(([f, a, b, c]) => `${f}(${a}, ${b}, ${c})`),
        fc.tuple(fc.constantFrom('LEFT', 'RIGHT', 'REPEAT'), str, num).map(([f, a, b]) => `${f}(${a}, ${b})`),
        fc.tuple(str, str, str).map(([a, b, c]) => `REPLACE(${a}, ${b}, ${c})`),
        fc.tuple(str, fc.constantFrom("'a(b)'", "'[0-9]+'", "'('"), fc.option(num)).map(([a, r, i]) => `REGEXP_EXTRACT(${a}, ${r}${i ? `, ${i}` : ''})`),
        fc.tuple(str, fc.constantFrom("','", "''"), num).map(([a, sep, i]) => `SPLIT_INDEX(${a}, ${sep}, ${i})`),
        fc.tuple(fc.constantFrom('BOTH', 'LEADING', 'TRAILING'), str).map(([w, a]) => `TRIM(${w} 'x' FROM ${a})`),
        fc.tuple(fc.oneof(num, ts, date, bool), fc.constantFrom('STRING', 'VARCHAR(5)', 'CHAR(2)')).map(([a, t]) => `CAST(${a} AS ${t})`),
        fc.tuple(ts, fc.constantFrom("'yyyy-MM-dd HH:mm'", "'EEE'", "''", "'''x'''")).map(([a, f]) => `DATE_FORMAT(${a}, ${f})`),
        fc.tuple(bool, str, str).map(([c, a, b]) => `CASE WHEN ${c} THEN ${a} WHEN NOT ${c} THEN ${b} END`),
        fc.tuple(str, str).map(([a, b]) => `CASE ${a} WHEN 'x' THEN ${b} ELSE ${a} END`),
        num.map((a) => `FROM_UNIXTIME(${a})`),
      ),
      bool: fc.oneof(
        d,
        { weight: 2, arbitrary: cols('bool', ['TRUE']) },
        fc.constantFrom('TRUE', 'FALSE', 'CAST(NULL AS BOOLEAN)'),
        { weight: 3, arbitrary: fc.tuple(num, cmp, num).map(([a, o, b]) => `${a} ${o} ${b}`) },
        { weight: 2, arbitrary: fc.tuple(str, cmp, str).map(([a, o, b]) => `${a} ${o} ${b}`) },
        { weight: 2, arbitrary: fc.tuple(ts, cmp, ts).map(([a, o, b]) => `${a} ${o} ${b}`) },
        { weight: 2, arbitrary: fc.tuple(bool, fc.constantFrom('AND', 'OR'), bool).map(([a, o, b]) => `(${a} ${o} ${b})`) },
        bool.map((a) => `NOT (${a})`),
        fc.tuple(fc.oneof(num, str, ts, bool), fc.constantFrom('IS NULL', 'IS NOT NULL')).map(([a, p]) => `${a} ${p}`),
        fc.tuple(bool, fc.constantFrom('IS TRUE', 'IS NOT FALSE', 'IS UNKNOWN')).map(([a, p]) => `(${a}) ${p}`),
        fc.tuple(str, fc.constantFrom("'a%'", "'_b%'", "'%'", "'100!%' ESCAPE '!'", "'\\'"), fc.constantFrom('LIKE', 'NOT LIKE', 'SIMILAR TO')).map(([a, p, k]) => `${a} ${k} ${p}`),
        fc.tuple(num, num, num, fc.constantFrom('BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC')).map(([a, b, c, k]) => `${a} ${k} ${b} AND ${c}`),
        fc.tuple(num, fc.array(num, { minLength: 1, maxLength: 3 })).map(([a, l]) => `${a} IN (${l.join(', ')})`),
        fc.tuple(str, fc.array(str, { minLength: 1, maxLength: 3 })).map(([a, l]) => `${a} NOT IN (${l.join(', ')})`),
        fc.tuple(str, fc.constantFrom("'^a.*'", "'('", "''")).map(([a, r]) => `REGEXP(${a}, ${r})`),
      ),
      ts: fc.oneof(
        d,
        { weight: 4, arbitrary: cols('ts', ['CURRENT_TIMESTAMP']) },
        fc.constantFrom("TIMESTAMP '2024-01-01 00:00:00'", "TIMESTAMP '2024-01-01 00:00:00.123'", 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'PROCTIME()', 'CAST(NULL AS TIMESTAMP(3))', "TO_TIMESTAMP('2024-01-01 00:00:00')", 'TO_TIMESTAMP_LTZ(0, 3)', 'NOW()'),
        fc.tuple(ts, fc.constantFrom('+', '-'), intervalArb).map(([a, o, i]) => `(${a} ${o} ${i})`),
        fc.tuple(ts, fc.constantFrom('MINUTE', 'HOUR', 'DAY', 'MONTH', 'YEAR', 'WEEK')).map(([a, u]) => `FLOOR(${a} TO ${u})`),
        fc.tuple(ts, fc.constantFrom('SECOND', 'HOUR', 'QUARTER')).map(([a, u]) => `CEIL(${a} TO ${u})`),
        fc.tuple(fc.constantFrom('SECOND', 'DAY', 'MONTH'), num, ts).map(([u, n, a]) => `TIMESTAMPADD(${u}, ${n}, ${a})`),
        fc.tuple(fc.oneof(ts, str, date), fc.constantFrom('TIMESTAMP(3)', 'TIMESTAMP_LTZ(3)', 'TIMESTAMP(0)', 'TIMESTAMP(9)')).map(([a, t]) => `CAST(${a} AS ${t})`),
        fc.tuple(ts, ts).map(([a, b]) => `COALESCE(${a}, ${b})`),
        fc.tuple(ts, fc.constantFrom("'UTC'", "'Europe/Paris'", "'Nowhere/Zone'")).map(([a, z]) => `CONVERT_TZ(CAST(${a} AS STRING), 'UTC', ${z})`),
      ),
      date: fc.oneof(
        d,
        { weight: 3, arbitrary: cols('date', ['CURRENT_DATE']) },
        fc.constantFrom("DATE '2024-02-29'", 'CURRENT_DATE', "TO_DATE('2024-01-01')", "TO_DATE('01/02/2024', 'MM/dd/yyyy')"),
        ts.map((a) => `CAST(${a} AS DATE)`),
        fc.tuple(date, intervalArb).map(([a, i]) => `(${a} + ${i})`),
      ),
    };
  });
  typedCache.set(key, arbs);
  return arbs;
}

/** Mostly well-typed, sometimes chaotic: what a SELECT list holds. */
export function valueArb(scope: Scope, maxDepth = 3): fc.Arbitrary<string> {
  const t = typedExprArb(scope, maxDepth);
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(t.num, t.str, t.bool, t.ts, t.date) }, { weight: 1, arbitrary: exprArb(scope, maxDepth) });
}

/** Mostly a well-typed BOOLEAN, sometimes chaotic: what WHERE, HAVING and FILTER hold. */
export function predicateArb(scope: Scope, maxDepth = 3): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: typedExprArb(scope, maxDepth).bool }, { weight: 1, arbitrary: exprArb(scope, maxDepth) });
}

function aggregateArb(e: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant('COUNT(*)'),
    fc.tuple(fc.constantFrom(...AGGREGATES), fc.constantFrom('', 'DISTINCT ', 'ALL '), fc.array(e, { minLength: 0, maxLength: 2 }), fc.option(e, { freq: 3 })).map(
      ([f, q, a, filter]) => `${f}(${q}${a.join(', ')})${filter ? ` FILTER (WHERE ${filter})` : ''}`,
    ),
    fc.tuple(fc.constantFrom(...AGGREGATES), e).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('COUNT', 'SUM'), e).map(([f, a]) => `${f}(${f}(${a}))`),
  );
}

/** A small (possibly correlated) subquery for IN / EXISTS / scalar use. */
const subqueryArb: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...TABLES),
  fc.nat(),
  fc.option(fc.tuple(fc.nat(), fc.constantFrom('=', '>', '<>'), fc.constantFrom('1', "'a'", 'order_id', 'o.order_id', 'ts', 'customer'))),
  fc.constantFrom('', 'MAX', 'COUNT'),
).map(([t, i, where, agg]) => {
  const col = t.cols[i % t.cols.length]!;
  const sel = agg ? `${agg}(${col})` : col;
  return `SELECT ${sel} FROM ${t.name}${where ? ` WHERE ${t.cols[where[0] % t.cols.length]} ${where[1]} ${where[2]}` : ''}`;
});

// ---------------------------------------------------------------------------------------------------------
// FROM clauses

interface From {
  readonly sql: string;
  readonly scope: Scope;
}

function scopeOf(t: TableInfo, alias?: string, extra: readonly string[] = []): Scope {
  const cols = [...t.cols, ...extra];
  const refs = alias ? [...cols, ...cols.map((c) => `${alias}.${c}`)] : cols;
  return { refs, times: [...t.rowtime, 'plain_ts', 'created'].filter((c) => cols.includes(c)), keys: [...t.keyish, ...extra.filter((c) => c.startsWith('window_'))] };
}

const tableFrom: fc.Arbitrary<From> = fc.tuple(fc.constantFrom(...TABLES), fc.constantFrom(undefined, 'o', 't', 'x')).map(([t, alias]) => ({
  sql: alias ? `${t.name} AS ${alias}` : t.name,
  scope: scopeOf(t, alias),
}));

const WINDOW_COLS = ['window_start', 'window_end', 'window_time'];

/** Window TVFs: valid shapes, with sometimes-wrong descriptors, intervals, argument counts and names. */
const tvfFrom: fc.Arbitrary<From> = fc
  .tuple(
    fc.constantFrom(...TABLES),
    fc.constantFrom('TUMBLE', 'HOP', 'CUMULATE', 'SESSION', 'TUMBLE', 'HOP', 'CUMULATE', 'SESSION', 'tumble', 'NOSUCH'),
    fc.nat(),
    fc.nat(4).map((n) => n > 0),
    fc.array(windowIntervalArb, { minLength: 1, maxLength: 3 }),
    fc.constantFrom('positional', 'positional', 'positional', 'positional', 'named', 'named', 'partition', 'partition', 'badargs', 'noTable'),
    fc.option(fc.constantFrom('w', 'x')),
  )
  .map(([t, fn, i, useValidTime, intervals, style, alias]) => {
    const times = t.rowtime.length > 0 ? t.rowtime : t.cols;
    const timeCol = useValidTime ? times[i % times.length]! : t.cols[i % t.cols.length]!;
    const arity = fn.toUpperCase() === 'TUMBLE' || fn.toUpperCase() === 'SESSION' ? 1 : 2;
    const iv = Array.from({ length: arity }, (_, k) => intervals[k % intervals.length]!);
    let args: string;
    switch (style) {
      case 'named': {
        const names = fn.toUpperCase() === 'HOP' ? ['SLIDE', 'SIZE'] : fn.toUpperCase() === 'CUMULATE' ? ['STEP', 'SIZE'] : fn.toUpperCase() === 'SESSION' ? ['GAP'] : ['SIZE'];
        args = [`DATA => TABLE ${t.name}`, `TIMECOL => DESCRIPTOR(${timeCol})`, ...iv.map((v, k) => `${names[k] ?? 'OFFSET'} => ${v}`)].join(', ');
        break;
      }
      case 'partition':
        args = [`TABLE ${t.name} PARTITION BY ${t.keyish[i % t.keyish.length]}`, `DESCRIPTOR(${timeCol})`, ...iv].join(', ');
        break;
      case 'badargs':
        args = [`TABLE ${t.name}`, `DESCRIPTOR(${timeCol}, ${t.cols[0]})`, ...intervals, "'x'"].slice(0, 1 + (i % 5)).join(', ');
        break;
      case 'noTable':
        args = [t.name, timeCol, ...iv].join(', ');
        break;
      default:
        args = [`TABLE ${t.name}`, `DESCRIPTOR(${timeCol})`, ...iv, ...(i % 7 === 0 ? [intervals[0]!] : [])].join(', ');
    }
    const base = scopeOf(t, alias ?? undefined, WINDOW_COLS);
    return { sql: `TABLE(${fn}(${args}))${alias ? ` AS ${alias}` : ''}`, scope: { ...base, times: [...base.times, 'window_time'] } };
  });

const joinFrom: fc.Arbitrary<From> = fc
  .tuple(
    fc.constantFrom(...TABLES),
    fc.constantFrom(...TABLES),
    fc.constantFrom('JOIN', 'INNER JOIN', 'LEFT JOIN', 'RIGHT OUTER JOIN', 'FULL JOIN', 'CROSS JOIN', ','),
    fc.nat(),
    fc.nat(),
    fc.constantFrom('eq', 'eq', 'interval', 'using', 'temporal', 'none', 'nonequi'),
  )
  .map(([l, r, kind, i, j, cond]) => {
    const lc = l.cols[i % l.cols.length]!;
    const rc = r.cols[j % r.cols.length]!;
    const shared = l.cols.find((c) => r.cols.includes(c)) ?? lc;
    const lt = l.rowtime[0] ?? lc;
    const rt = r.rowtime[0] ?? rc;
    const right = cond === 'temporal' ? `${r.name} FOR SYSTEM_TIME AS OF l.${lt} AS r` : `${r.name} AS r`;
    let on = '';
    if (kind !== 'CROSS JOIN' && kind !== ',') {
      if (cond === 'using') on = ` USING (${shared})`;
      else if (cond === 'interval') on = ` ON l.${lc} = r.${rc} AND r.${rt} BETWEEN l.${lt} - INTERVAL '1' HOUR AND l.${lt}`;
      else if (cond === 'nonequi') on = ` ON l.${lc} > r.${rc}`;
      else if (cond === 'none') on = ' ON TRUE';
      else on = ` ON l.${lc} = r.${rc}`;
    }
    const ls = scopeOf(l, 'l');
    const rs = scopeOf(r, 'r');
    return {
      sql: `${l.name} AS l ${kind} ${right}${on}`,
      scope: { refs: [...ls.refs.filter((x) => x.includes('.')), ...rs.refs.filter((x) => x.includes('.')), ...l.cols, ...r.cols], times: [`l.${lt}`, `r.${rt}`], keys: [`l.${l.keyish[0]}`, `r.${r.keyish[0]}`] },
    };
  });

const valuesFrom: fc.Arbitrary<From> = fc
  .tuple(fc.array(fc.array(literalArb, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([rows, named]) => ({
    sql: `(VALUES ${rows.map((r) => `(${r.join(', ')})`).join(', ')}) AS v${named ? '(p, q)' : ''}`,
    scope: { refs: named ? ['p', 'q', 'v.p', 'v.q'] : ['EXPR$0', 'v.EXPR$0'], times: [], keys: ['p'] },
  }));

/** A derived table over a base table: a projection, a filter, or an aggregation. */
const subqueryFrom: fc.Arbitrary<From> = fc
  .tuple(fc.constantFrom(...TABLES), fc.nat(), fc.constantFrom('star', 'proj', 'agg', 'lateral', 'window', 'star', 'proj', 'agg', 'window'))
  .chain(([t, i, shape]) => {
    const inner = scopeOf(t);
    const k = t.keyish[i % t.keyish.length]!;
    const c = t.cols[i % t.cols.length]!;
    return predicateArb(inner, 2).map((e): From => {
      switch (shape) {
        case 'star':
          return { sql: `(SELECT * FROM ${t.name} WHERE ${e}) AS s`, scope: scopeOf(t, 's') };
        case 'agg':
          return { sql: `(SELECT ${k}, COUNT(*) AS cnt, MAX(${c}) AS mx FROM ${t.name} GROUP BY ${k}) AS s`, scope: { refs: [k, 'cnt', 'mx', `s.${k}`, 's.cnt'], times: [], keys: [k] } };
        case 'window': {
          const time = t.rowtime[0] ?? c;
          return {
            sql: `(SELECT window_start, window_end, window_time, ${k}, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE ${t.name}, DESCRIPTOR(${time}), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, window_time, ${k}) AS s`,
            scope: { refs: ['window_start', 'window_end', 'window_time', k, 'cnt', 's.cnt'], times: ['window_time'], keys: [k, 'window_start'] },
          };
        }
        case 'lateral':
          return { sql: `${t.name} AS l, LATERAL (SELECT ${e} AS e1 FROM ${t.name} WHERE ${c} = l.${c}) AS s`, scope: { refs: [...t.cols.map((x) => `l.${x}`), 'e1', 's.e1'], times: t.rowtime.map((x) => `l.${x}`), keys: [`l.${k}`] } };
        default:
          return { sql: `(SELECT ${k}, ${e} AS e1, ${c} AS c1 FROM ${t.name}) AS s`, scope: { refs: [k, 'e1', 'c1', `s.${k}`, 's.e1'], times: t.rowtime.includes(c) ? ['c1'] : [], keys: [k] } };
      }
    });
  });

const unknownFrom: fc.Arbitrary<From> = fc.constantFrom(
  { sql: 'no_such_table', scope: { refs: ['a'], times: [], keys: ['a'] } },
  { sql: 'Orders', scope: scopeOf(TABLES[0]!) },
  { sql: 'db.orders', scope: scopeOf(TABLES[0]!) },
  { sql: 'sink_json', scope: { refs: ['a', 'b', 'c'], times: [], keys: ['a'] } },
  { sql: 'sink_print', scope: { refs: ['k', 'v'], times: [], keys: ['k'] } },
  { sql: '`orders`', scope: scopeOf(TABLES[0]!) },
  { sql: 'orders, orders', scope: scopeOf(TABLES[0]!) },
);

export const fromArb: fc.Arbitrary<From> = fc.oneof(
  { weight: 5, arbitrary: tableFrom },
  { weight: 5, arbitrary: tvfFrom },
  { weight: 1, arbitrary: joinFrom },
  { weight: 1, arbitrary: valuesFrom },
  { weight: 2, arbitrary: subqueryFrom },
  { weight: 1, arbitrary: unknownFrom },
  { weight: 1, arbitrary: fc.constant({ sql: '', scope: { refs: [], times: [], keys: [] } }) },
);

// ---------------------------------------------------------------------------------------------------------
// Queries

const selectItem = (scope: Scope): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(valueArb(scope), fc.option(fc.constantFrom('a', 'b', 'c', 'n', 'x', 'window_start', '`my col`', 'k', 'v'))).map(([e, a]) => (a ? `${e} AS ${a}` : e)) },
    { weight: 1, arbitrary: fc.constantFrom('*', 'o.*', 'l.*', 'r.*', 'nope.*') },
  );

const legacyGroupWindow = (scope: Scope): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('TUMBLE', 'HOP', 'SESSION', 'CUMULATE'), fc.constantFrom(...(scope.times.length > 0 ? scope.times : scope.refs.length > 0 ? scope.refs : ['ts'])), fc.array(intervalArb, { minLength: 1, maxLength: 2 }))
    .map(([f, t, iv]) => `${f}(${t}, ${(f === 'HOP' && iv.length === 1 ? [iv[0], iv[0]] : iv).join(', ')})`);

/** GROUP BY keys: plain columns and expressions, window columns, or a legacy group window. */
const groupByArb = (scope: Scope): fc.Arbitrary<string[]> =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(scope.keys.length > 0 ? scope.keys : ['nope'])) },
      { weight: 2, arbitrary: exprArb(scope, 1) },
      { weight: 2, arbitrary: fc.constantFrom('window_start', 'window_end', 'window_time') },
      { weight: 2, arbitrary: legacyGroupWindow(scope) },
      { weight: 1, arbitrary: fc.constantFrom('1', "'x'", 'COUNT(*)', 'GROUPING SETS ((a))') },
    ),
    { minLength: 1, maxLength: 3 },
  );

interface SelectSpec {
  distinct: boolean;
  items: string[];
  from: From | null;
  where: string | null;
  groupBy: string[] | null;
  having: string | null;
}

/** A SELECT over a random FROM: free-form (often invalid) expressions. */
export const selectArb: fc.Arbitrary<string> = fromArb
  .chain((from) =>
    fc.record<SelectSpec>({
      distinct: fc.boolean(),
      items: fc.array(selectItem(from.scope), { minLength: 1, maxLength: 4 }),
      from: fc.constant(from),
      where: fc.option(predicateArb(from.scope), { freq: 2 }),
      groupBy: fc.option(groupByArb(from.scope), { freq: 3 }),
      having: fc.option(predicateArb(from.scope, 2), { freq: 4 }),
    }),
  )
  .map(renderSelect);

/** A SELECT shaped like a real aggregation (group keys selected, aggregates of columns): mostly valid. */
export const aggregateSelectArb: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: tableFrom }, { weight: 5, arbitrary: tvfFrom }, { weight: 2, arbitrary: subqueryFrom }, { weight: 1, arbitrary: joinFrom }).chain((from) => {
  const windowed = from.scope.refs.includes('window_start');
  const keys = [...new Set(from.scope.keys.length > 0 ? from.scope.keys : from.scope.refs.slice(0, 1))];
  return fc
    .tuple(
      fc.subarray(keys, { minLength: 0, maxLength: Math.min(2, keys.length) }),
      fc.array(fc.tuple(fc.constantFrom(...AGGREGATES, 'COUNT'), fc.constantFrom('', 'DISTINCT '), fc.constantFrom(...from.scope.refs), fc.option(predicateArb(from.scope, 1), { freq: 4 })), { minLength: 1, maxLength: 3 }),
      fc.option(predicateArb(from.scope, 1), { freq: 3 }),
      fc.option(fc.tuple(fc.constantFrom('COUNT(*)', `SUM(${from.scope.refs[0]})`, 'MAX(1)'), fc.constantFrom('>', '<', '='), fc.constantFrom('1', '0.5', "'a'"))),
      fc.constantFrom('', 'legacy', 'window', 'window'),
    )
    .map(([gk, aggs, where, having, mode]) => {
      const groups = [...gk];
      const items = [...gk];
      if (mode === 'window' && windowed) {
        groups.push('window_start', 'window_end');
        items.unshift('window_start', 'window_end');
      } else if (mode === 'legacy' && from.scope.times.length > 0) {
        const t = from.scope.times[0]!;
        groups.push(`TUMBLE(${t}, INTERVAL '1' MINUTE)`);
        items.push(`TUMBLE_START(${t}, INTERVAL '1' MINUTE) AS ws`, `TUMBLE_ROWTIME(${t}, INTERVAL '1' MINUTE) AS wt`);
      }
      for (const [f, q, c, filter] of aggs) items.push(`${f}(${q}${c})${filter ? ` FILTER (WHERE ${filter})` : ''}`);
      return renderSelect({
        distinct: false,
        items,
        from,
        where,
        groupBy: groups.length > 0 ? groups : null,
        having: having ? having.join(' ') : null,
      });
    });
});

function renderSelect(s: SelectSpec): string {
  let sql = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${s.items.join(', ')}`;
  if (s.from?.sql) sql += ` FROM ${s.from.sql}`;
  if (s.where) sql += ` WHERE ${s.where}`;
  if (s.groupBy) sql += ` GROUP BY ${s.groupBy.join(', ')}`;
  if (s.having) sql += ` HAVING ${s.having}`;
  return sql;
}

/** A plain projection with a well-typed filter: binds almost always, so the physical planner decides. */
export const projectionSelectArb: fc.Arbitrary<string> = fc.oneof({ weight: 2, arbitrary: tableFrom }, { weight: 3, arbitrary: tvfFrom }, { weight: 1, arbitrary: subqueryFrom }).chain((from) => {
  const t = typedExprArb(from.scope, 2);
  return fc
    .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...from.scope.refs) }, fc.oneof(t.num, t.str, t.ts), fc.constant('*')), { minLength: 1, maxLength: 3 }), fc.option(t.bool, { freq: 2 }))
    .map(([items, where]) => renderSelect({ distinct: false, items, from, where, groupBy: null, having: null }));
});

const simpleSelect = fc.oneof({ weight: 3, arbitrary: selectArb }, { weight: 3, arbitrary: aggregateSelectArb }, { weight: 4, arbitrary: projectionSelectArb });

/** A whole query: set operations, CTEs, ORDER BY / LIMIT / OFFSET / EMIT. */
export const queryArb: fc.Arbitrary<string> = fc
  .tuple(
    simpleSelect,
    fc.option(fc.tuple(fc.constantFrom('UNION ALL', 'UNION ALL', 'UNION', 'INTERSECT', 'EXCEPT', 'UNION DISTINCT'), simpleSelect), { freq: 5 }),
    fc.option(fc.tuple(fc.constantFrom('c', 'cte', 'orders'), simpleSelect, fc.option(fc.constantFrom('(a)', '(a, b)', '(x, y, z)'))), { freq: 6 }),
    fc.option(fc.array(fc.tuple(fc.constantFrom('1', '2', 'a', 'n', 'ts', 'window_start', 'order_id', 'customer', 'COUNT(*)', 'x + 1', 'pt', "'s'"), fc.constantFrom('', ' ASC', ' DESC', ' DESC NULLS LAST')), { minLength: 1, maxLength: 2 }), { freq: 5 }),
    fc.option(fc.constantFrom('0', '1', '10', '-1', '1.5', "'3'", 'NULL', '99999999999999999999', '(SELECT 1)', 'order_id', '?'), { freq: 4 }),
    fc.option(fc.constantFrom('0', '2', '-1', 'x'), { freq: 10 }),
    fc.option(fc.constantFrom('CHANGES', 'FINAL'), { freq: 10 }),
    fc.boolean(),
  )
  .map(([body, setop, cte, order, limit, offset, emit, wrapCte]) => {
    let sql = body;
    if (setop) sql = `${sql} ${setop[0]} ${setop[1]}`;
    if (cte) {
      const [name, q, cols] = cte;
      sql = `WITH ${name}${cols ?? ''} AS (${q}) ${wrapCte ? `SELECT * FROM ${name}` : sql}`;
    }
    if (order) sql += ` ORDER BY ${order.map(([e, d]) => e + d).join(', ')}`;
    if (limit) sql += ` LIMIT ${limit}`;
    if (offset) sql += ` OFFSET ${offset}`;
    if (emit) sql += ` EMIT ${emit}`;
    return sql;
  });

/** INSERT INTO a sink (sometimes a view, a source-only table or an unknown one), with or without a column list. */
export const insertArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...SINKS), fc.option(fc.subarray(SINK_COLS, { minLength: 1, maxLength: 3 }), { freq: 3 }), queryArb)
  .map(([sink, cols, q]) => `INSERT INTO ${sink}${cols ? ` (${cols.join(', ')})` : ''} ${q}`);

/** An INSERT whose query matches the sink's shape, so deeper planning (changelog checks) is reached. */
export const shapedInsertArb: fc.Arbitrary<string> = fc.oneof(
  aggregateSelectArb.map((q) => `INSERT INTO sink_print ${q}`),
  fc.tuple(fc.constantFrom(...TABLES), fc.nat()).chain(([t, i]) =>
    predicateArb(scopeOf(t), 2).map((e) => {
      const k = t.keyish[i % t.keyish.length]!;
      return `INSERT INTO sink_print SELECT CAST(${k} AS STRING), COUNT(*) FROM ${t.name} WHERE ${e} GROUP BY ${k}`;
    }),
  ),
  fc.tuple(fc.constantFrom('orders', 'payments', 'rates', 'big_orders'), fc.constantFrom('sink_win', 'sink_json', 'sink_sqlite', 'sink_hole', 'sink_print'), fc.constantFrom('TUMBLE', 'HOP', 'CUMULATE', 'SESSION')).map(([t, sink, f]) => {
    const time = t === 'payments' ? 'pts' : t === 'rates' ? 'rts' : 'ts';
    const iv = f === 'HOP' || f === 'CUMULATE' ? "INTERVAL '1' MINUTE, INTERVAL '5' MINUTE" : "INTERVAL '1' MINUTE";
    return `INSERT INTO ${sink} SELECT window_start, window_end, COUNT(*) FROM TABLE(${f}(TABLE ${t}, DESCRIPTOR(${time}), ${iv})) GROUP BY window_start, window_end`;
  }),
);

/** Any statement the planner plans: a query, an INSERT, or a statement set of INSERTs. */
export const statementArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: queryArb },
  { weight: 2, arbitrary: insertArb },
  { weight: 2, arbitrary: shapedInsertArb },
  { weight: 1, arbitrary: fc.array(fc.oneof(insertArb, shapedInsertArb), { minLength: 1, maxLength: 2 }).map((is) => `EXECUTE STATEMENT SET BEGIN ${is.join('; ')}; END`) },
);

// ---------------------------------------------------------------------------------------------------------
// DDL

/** CREATE TABLE with random columns, computed columns and watermarks, then a view over a random query. */
export const ddlArb: fc.Arbitrary<string[]> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3', 'ts', 'c1'), typeArb), { minLength: 1, maxLength: 4 }),
    fc.option(exprArb({ refs: ['c1', 'c2', 'c3', 'ts'], times: ['ts'], keys: ['c1'] }, 2)),
    fc.option(fc.tuple(fc.constantFrom('ts', 'c1', 'c2', 'cc', 'nope'), fc.oneof(fc.constantFrom("ts - INTERVAL '5' SECOND", 'ts', 'c1', "cc - INTERVAL '1' MINUTE", 'CURRENT_TIMESTAMP', 'NULL', 'PROCTIME()'), exprArb({ refs: ['c1', 'c2', 'ts', 'cc'], times: ['ts'], keys: [] }, 2)))),
    fc.option(fc.constantFrom('c1', 'c2', 'ts', 'nope', 'c1, c2')),
    fc.constantFrom("'connector' = 'filesystem', 'path' = '/nonexistent/x.json', 'format' = 'json'", "'connector' = 'datagen'", "'connector' = 'print'", "'connector' = 'datagen', 'fields.c1.kind' = 'sequence', 'fields.c1.start' = '1', 'fields.c1.end' = '5'"),
    fc.oneof(queryArb, queryArb, fc.tuple(fc.oneof(aggregateSelectArb, projectionSelectArb), fc.constantFrom(' ORDER BY 1', ' LIMIT 3', ' OFFSET 1', ' ORDER BY ts LIMIT 1', '')).map(([q, tail]) => q + tail), fc.constantFrom('SELECT * FROM fz', 'SELECT c1, COUNT(*) FROM fz GROUP BY c1', "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE fz, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start")),
    fc.option(fc.constantFrom('(a)', '(a, b)', '(a, a)')),
  )
  .map(([cols, computed, wm, pk, opts, viewQuery, viewCols]) => {
    const elements = cols.map(([n, t]) => `${n} ${t}`);
    if (computed) elements.push(`cc AS ${computed}`);
    if (wm) elements.push(`WATERMARK FOR ${wm[0]} AS ${wm[1]}`);
    if (pk) elements.push(`PRIMARY KEY (${pk}) NOT ENFORCED`);
    return [`CREATE TABLE fz (${elements.join(', ')}) WITH (${opts})`, `CREATE VIEW fv${viewCols ?? ''} AS ${viewQuery}`, 'SELECT * FROM fv', 'SELECT * FROM fz'];
  });

// ---------------------------------------------------------------------------------------------------------
// Mutation of a corpus of valid statements

export interface CorpusCase {
  readonly name: string;
  /** DDL and SET statements that set up the catalog the statements need. */
  readonly setup: readonly string[];
  /** Queries, INSERTs and statement sets, each as its own text. */
  readonly statements: readonly string[];
}

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'cases');

/** The golden cases' statements, split into setup (DDL, SET) and plannable statements. */
export function goldenCorpus(split: (script: string) => { kind: string; text: string }[]): CorpusCase[] {
  if (!existsSync(GOLDEN)) return [];
  const out: CorpusCase[] = [];
  for (const name of readdirSync(GOLDEN).sort()) {
    const file = join(GOLDEN, name, 'case.sql');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8').replace(/\$\{\w+\}/g, NO_DIR);
    const stmts = split(text);
    const setup = stmts.filter((s) => s.kind === 'CreateTable' || s.kind === 'CreateView' || s.kind === 'SetStatement').map((s) => s.text);
    const statements = stmts.filter((s) => s.kind === 'QueryStatement' || s.kind === 'InsertStatement' || s.kind === 'StatementSet').map((s) => s.text);
    if (statements.length > 0) out.push({ name, setup, statements });
  }
  return out;
}

/** The tokens of `sql` (comments and whitespace dropped), as written. */
export function tokenize(sql: string): string[] {
  return sqlLexer.tokenize(sql).tokens.map((t) => t.image);
}

const IDENTIFIER_POOL = [...ALL_COLS, ...TABLES.map((t) => t.name), ...UNKNOWN_NAMES, 'window_start', 'window_end', 'window_time', 'clicks', 'user', '`user`', 'amount', 'url', 'DESCRIPTOR', 'TUMBLE', 'HOP', 'SESSION', 'CUMULATE', 'PROCTIME', 'COUNT', 'SUM', 'ABS', 'CAST'];
const LITERAL_POOL = ['0', '1', '-1', '2.5', '1e3', "'x'", "''", "'2024-01-01 00:00:00'", 'NULL', 'TRUE', 'FALSE', "INTERVAL '1' MINUTE", "INTERVAL '0' SECOND", "INTERVAL '-1' DAY", "DATE '2024-01-01'", "TIMESTAMP '2024-01-01 00:00:00'", '99999999999999999999', 'CURRENT_TIMESTAMP', '?'];
const INSERT_POOL = [...KEYWORDS, '(', ')', ',', '.', '*', '+', '-', '/', '%', '=', '<>', '<', '>=', '||', '=>', '[', ']', ';', 'NOT', 'NULL', 'SELECT', 'FROM', 'WHERE', 'GROUP BY', 'HAVING', 'ORDER BY', 'LIMIT', 'UNION ALL', 'JOIN', 'ON', 'OVER', 'DISTINCT', 'FILTER', 'TABLE', 'LATERAL', 'WITH', 'AS'];

export interface Edit {
  readonly op: 'delete' | 'duplicate' | 'swap' | 'identifier' | 'literal' | 'insert' | 'replace' | 'truncate';
  readonly at: number;
  readonly other: number;
  readonly pick: number;
}

export const editArb: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'identifier', 'identifier', 'literal', 'literal', 'insert', 'insert', 'replace', 'truncate'),
  at: fc.nat(),
  other: fc.nat(),
  pick: fc.nat(),
});

const isIdentifier = (t: string) => /^[A-Za-z_][A-Za-z0-9_$]*$|^`/.test(t);
const isLiteral = (t: string) => /^'|^\d|^\.\d/.test(t);

/** Applies token-level edits; positions wrap around the token count. */
export function mutate(tokens: readonly string[], edits: readonly Edit[]): string {
  const ts = [...tokens];
  for (const e of edits) {
    if (ts.length === 0) break;
    const i = e.at % ts.length;
    switch (e.op) {
      case 'delete':
        ts.splice(i, 1);
        break;
      case 'duplicate':
        ts.splice(i, 0, ts[i]!);
        break;
      case 'swap': {
        const j = e.other % ts.length;
        [ts[i], ts[j]] = [ts[j]!, ts[i]!];
        break;
      }
      case 'identifier': {
        const idx = ts.map((t, k) => (isIdentifier(t) ? k : -1)).filter((k) => k >= 0);
        if (idx.length > 0) ts[idx[e.other % idx.length]!] = IDENTIFIER_POOL[e.pick % IDENTIFIER_POOL.length]!;
        break;
      }
      case 'literal': {
        const idx = ts.map((t, k) => (isLiteral(t) ? k : -1)).filter((k) => k >= 0);
        if (idx.length > 0) ts[idx[e.other % idx.length]!] = LITERAL_POOL[e.pick % LITERAL_POOL.length]!;
        else ts[i] = LITERAL_POOL[e.pick % LITERAL_POOL.length]!;
        break;
      }
      case 'insert':
        ts.splice(i, 0, INSERT_POOL[e.pick % INSERT_POOL.length]!);
        break;
      case 'replace':
        ts[i] = [...IDENTIFIER_POOL, ...LITERAL_POOL, ...INSERT_POOL][e.pick % (IDENTIFIER_POOL.length + LITERAL_POOL.length + INSERT_POOL.length)]!;
        break;
      case 'truncate':
        ts.length = Math.max(1, i);
        break;
    }
  }
  return ts.join(' ');
}
