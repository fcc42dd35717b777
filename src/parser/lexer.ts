/** The SQL lexer: chevrotain token types (keywords case-insensitive) and the tokenizer instance. */
import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * Every name-like token matches this category: plain identifiers, backquoted identifiers and the
 * non-reserved keywords, so `CONSUME(Identifier)` accepts a column called `value` or `timestamp`.
 */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_$]*/, label: 'identifier' });

/** A `backquoted` identifier; `` ` `` inside is written twice. */
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /`(?:[^`]|``)*`/,
  categories: [Identifier],
  label: 'identifier',
});

/** Category of the time-unit keywords (`HOUR`, `MINUTES`, ...). */
export const TimeUnitToken = createToken({ name: 'TimeUnitToken', pattern: Lexer.NA, label: 'time unit' });

const keywordTokens: TokenType[] = [];
const keywordNames: string[] = [];

function keyword(word: string, reserved: boolean, extraCategories: TokenType[] = []): TokenType {
  const name = word.charAt(0) + word.slice(1).toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const token = createToken({
    name: reserved ? name : `${name}Kw`,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    categories: reserved ? extraCategories : [Identifier, ...extraCategories],
    label: word,
  });
  keywordTokens.push(token);
  keywordNames.push(word);
  return token;
}
const reserved = (word: string): TokenType => keyword(word, true);
const nonReserved = (word: string): TokenType => keyword(word, false);

// Reserved keywords: they end clauses or start expressions, so they can never be names (quote them instead).
export const Select = reserved('SELECT');
export const From = reserved('FROM');
export const Where = reserved('WHERE');
export const Group = reserved('GROUP');
export const By = reserved('BY');
export const Having = reserved('HAVING');
export const Order = reserved('ORDER');
export const Limit = reserved('LIMIT');
export const Offset = reserved('OFFSET');
export const Union = reserved('UNION');
export const Intersect = reserved('INTERSECT');
export const Except = reserved('EXCEPT');
export const All = reserved('ALL');
export const Distinct = reserved('DISTINCT');
export const As = reserved('AS');
export const On = reserved('ON');
export const Using = reserved('USING');
export const Join = reserved('JOIN');
export const Inner = reserved('INNER');
export const Left = reserved('LEFT');
export const Right = reserved('RIGHT');
export const Full = reserved('FULL');
export const Outer = reserved('OUTER');
export const Cross = reserved('CROSS');
export const Lateral = reserved('LATERAL');
export const Table = reserved('TABLE');
export const And = reserved('AND');
export const Or = reserved('OR');
export const Not = reserved('NOT');
export const Is = reserved('IS');
export const Null = reserved('NULL');
export const True = reserved('TRUE');
export const False = reserved('FALSE');
export const Unknown = reserved('UNKNOWN');
export const In = reserved('IN');
export const Like = reserved('LIKE');
export const Similar = reserved('SIMILAR');
export const Escape = reserved('ESCAPE');
export const Between = reserved('BETWEEN');
export const Symmetric = reserved('SYMMETRIC');
export const Asymmetric = reserved('ASYMMETRIC');
export const Case = reserved('CASE');
export const When = reserved('WHEN');
export const Then = reserved('THEN');
export const Else = reserved('ELSE');
export const End = reserved('END');
export const Cast = reserved('CAST');
export const TryCast = reserved('TRY_CAST');
export const Exists = reserved('EXISTS');
export const Interval = reserved('INTERVAL');
export const Create = reserved('CREATE');
export const Drop = reserved('DROP');
export const Insert = reserved('INSERT');
export const Into = reserved('INTO');
export const Values = reserved('VALUES');
export const With = reserved('WITH');
export const Without = reserved('WITHOUT');
export const Explain = reserved('EXPLAIN');
export const Describe = reserved('DESCRIBE');
export const Desc = reserved('DESC');
export const Asc = reserved('ASC');
export const For = reserved('FOR');
export const Over = reserved('OVER');
export const Partition = reserved('PARTITION');
export const Filter = reserved('FILTER');
export const Window = reserved('WINDOW');
export const Emit = reserved('EMIT');
export const Unbounded = reserved('UNBOUNDED');
export const Current = reserved('CURRENT');
export const SystemTime = reserved('SYSTEM_TIME');
export const Descriptor = reserved('DESCRIPTOR');
export const Primary = reserved('PRIMARY');
export const Constraint = reserved('CONSTRAINT');
export const Extract = reserved('EXTRACT');
export const Trim = reserved('TRIM');
export const Substring = reserved('SUBSTRING');
export const Position = reserved('POSITION');
export const Floor = reserved('FLOOR');
export const Ceil = reserved('CEIL');
export const Ceiling = reserved('CEILING');
export const Precision = reserved('PRECISION');
export const CurrentTimestamp = reserved('CURRENT_TIMESTAMP');
export const CurrentDate = reserved('CURRENT_DATE');
export const CurrentTime = reserved('CURRENT_TIME');
export const Localtimestamp = reserved('LOCALTIMESTAMP');
export const Localtime = reserved('LOCALTIME');
// ksqlDB's `JOIN s WITHIN n unit ON ...` (reserved in ksqlDB too: after a table it must not read as an alias).
export const Within = reserved('WITHIN');

// Non-reserved keywords: meaningful in one place, ordinary names everywhere else.
export const Tables = nonReserved('TABLES');
export const Views = nonReserved('VIEWS');
export const Functions = nonReserved('FUNCTIONS');
export const View = nonReserved('VIEW');
export const Materialized = nonReserved('MATERIALIZED');
export const Temporary = nonReserved('TEMPORARY');
export const If = nonReserved('IF');
export const Comment = nonReserved('COMMENT');
export const Watermark = nonReserved('WATERMARK');
export const Key = nonReserved('KEY');
export const Enforced = nonReserved('ENFORCED');
export const Partitioned = nonReserved('PARTITIONED');
export const Overwrite = nonReserved('OVERWRITE');
export const Execute = nonReserved('EXECUTE');
export const Statement = nonReserved('STATEMENT');
export const SetKw = nonReserved('SET');
export const Begin = nonReserved('BEGIN');
export const Reset = nonReserved('RESET');
export const Show = nonReserved('SHOW');
export const Columns = nonReserved('COLUMNS');
export const Catalogs = nonReserved('CATALOGS');
export const Catalog = nonReserved('CATALOG');
export const Databases = nonReserved('DATABASES');
export const Database = nonReserved('DATABASE');
export const Jobs = nonReserved('JOBS');
export const Job = nonReserved('JOB');
export const Stop = nonReserved('STOP');
export const Savepoint = nonReserved('SAVEPOINT');
export const Plan = nonReserved('PLAN');
export const Local = nonReserved('LOCAL');
export const Zone = nonReserved('ZONE');
export const Timestamp = nonReserved('TIMESTAMP');
export const TimestampLtz = nonReserved('TIMESTAMP_LTZ');
export const DateKw = nonReserved('DATE');
export const Time = nonReserved('TIME');
export const To = nonReserved('TO');
export const Of = nonReserved('OF');
export const Rows = nonReserved('ROWS');
export const Range = nonReserved('RANGE');
export const Preceding = nonReserved('PRECEDING');
export const Following = nonReserved('FOLLOWING');
export const Row = nonReserved('ROW');
export const Nulls = nonReserved('NULLS');
export const First = nonReserved('FIRST');
export const Last = nonReserved('LAST');
export const Changes = nonReserved('CHANGES');
export const Final = nonReserved('FINAL');
export const Both = nonReserved('BOTH');
export const Leading = nonReserved('LEADING');
export const Trailing = nonReserved('TRAILING');
export const Cascade = nonReserved('CASCADE');
export const Restrict = nonReserved('RESTRICT');
export const Metadata = nonReserved('METADATA');
export const Virtual = nonReserved('VIRTUAL');
// ksqlDB's SHOW [ALL] TOPICS [EXTENDED] and PRINT 'topic' [FROM BEGINNING] [INTERVAL | SAMPLE n] [LIMIT n].
export const Topics = nonReserved('TOPICS');
export const Extended = nonReserved('EXTENDED');
export const Print = nonReserved('PRINT');
export const Beginning = nonReserved('BEGINNING');
export const Sample = nonReserved('SAMPLE');
// ksqlDB's CREATE [OR REPLACE] [SOURCE] STREAM|TABLE, DROP STREAM|TABLE .. DELETE TOPIC (docs/ksql.md).
export const Stream = nonReserved('STREAM');
export const Source = nonReserved('SOURCE');
export const Replace = nonReserved('REPLACE');
export const Delete = nonReserved('DELETE');
export const Topic = nonReserved('TOPIC');
// ksqlDB's WINDOW TUMBLING|HOPPING|SESSION (SIZE n unit, ADVANCE BY n unit, RETENTION n unit, GRACE PERIOD n unit).
export const Tumbling = nonReserved('TUMBLING');
export const Hopping = nonReserved('HOPPING');
export const Session = nonReserved('SESSION');
export const Size = nonReserved('SIZE');
export const Advance = nonReserved('ADVANCE');
export const Retention = nonReserved('RETENTION');
export const Grace = nonReserved('GRACE');
export const Period = nonReserved('PERIOD');
// ksqlDB's scripting and inspection statements: RUN SCRIPT, DEFINE, UNDEFINE, UNSET, TERMINATE, SHOW|LIST ...
export const Run = nonReserved('RUN');
export const Script = nonReserved('SCRIPT');
export const Define = nonReserved('DEFINE');
export const Undefine = nonReserved('UNDEFINE');
export const Unset = nonReserved('UNSET');
export const Terminate = nonReserved('TERMINATE');
export const List = nonReserved('LIST');
export const Streams = nonReserved('STREAMS');
export const Queries = nonReserved('QUERIES');
export const Properties = nonReserved('PROPERTIES');
export const Variables = nonReserved('VARIABLES');
// Names of window TVF arguments; plain identifiers to the grammar, listed for completion.
for (const word of ['DATA', 'TIMECOL', 'SIZE', 'SLIDE', 'STEP', 'GAP', 'VALUE', 'NAME', 'TYPE']) keywordNames.push(word);

/** Singular time units and their accepted spellings (plurals normalize to the singular). */
export const TIME_UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  YEAR: 'YEAR', YEARS: 'YEAR', QUARTER: 'QUARTER', QUARTERS: 'QUARTER', MONTH: 'MONTH', MONTHS: 'MONTH',
  WEEK: 'WEEK', WEEKS: 'WEEK', DAY: 'DAY', DAYS: 'DAY', HOUR: 'HOUR', HOURS: 'HOUR', MINUTE: 'MINUTE',
  MINUTES: 'MINUTE', SECOND: 'SECOND', SECONDS: 'SECOND', MILLISECOND: 'MILLISECOND', MILLISECONDS: 'MILLISECOND',
  MICROSECOND: 'MICROSECOND', MICROSECONDS: 'MICROSECOND', NANOSECOND: 'NANOSECOND', NANOSECONDS: 'NANOSECOND',
  DOW: 'DOW', DOY: 'DOY', EPOCH: 'EPOCH', CENTURY: 'CENTURY', MILLENNIUM: 'MILLENNIUM', DECADE: 'DECADE',
};
for (const word of Object.keys(TIME_UNIT_SPELLINGS)) keyword(word, false, [TimeUnitToken]);

/** `1`, `1.5`, `.5`, `1e3`. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: 'number',
});
/** `'text'` with `''` for a quote. */
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/, label: 'string' });
/** A string never closed: runs to the end of the input; reported as UNTERMINATED. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /'(?:[^']|'')*/ });
/** A backquoted name never closed. */
export const UnterminatedQuotedIdentifier = createToken({ name: 'UnterminatedQuotedIdentifier', pattern: /`(?:[^`]|``)*/ });

export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
/**
 * A hint, `/*+ OPTIONS('k' = 'v') *\/` (Flink's and Calcite's syntax): a comment whose `+` is followed by a
 * name. It is a token, not skipped, so the grammar decides where a hint may stand and a hint anywhere else
 * is an error instead of being silently ignored. `/*+++ banner +++*\/` stays a plain comment.
 */
export const Hint = createToken({ name: 'Hint', pattern: /\/\*\+\s*[A-Za-z_][\s\S]*?\*\//, label: 'hint' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
/** `/*` with no closing `*\/`. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/ });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });

const punct = (name: string, pattern: RegExp, image: string): TokenType =>
  createToken({ name, pattern, label: `'${image}'` });
export const Arrow = punct('Arrow', /=>/, '=>');
export const NotEquals = punct('NotEquals', /<>|!=/, '<>');
export const LessEquals = punct('LessEquals', /<=/, '<=');
export const GreaterEquals = punct('GreaterEquals', />=/, '>=');
export const Equals = punct('Equals', /=/, '=');
export const Less = punct('Less', /</, '<');
export const Greater = punct('Greater', />/, '>');
export const Concat = punct('Concat', /\|\|/, '||');
export const LParen = punct('LParen', /\(/, '(');
export const RParen = punct('RParen', /\)/, ')');
export const LBracket = punct('LBracket', /\[/, '[');
export const RBracket = punct('RBracket', /]/, ']');
export const Comma = punct('Comma', /,/, ',');
export const Semicolon = punct('Semicolon', /;/, ';');
export const Dot = punct('Dot', /\./, '.');
export const Star = punct('Star', /\*/, '*');
export const Plus = punct('Plus', /\+/, '+');
export const Minus = punct('Minus', /-/, '-');
export const Slash = punct('Slash', /\//, '/');
export const Percent = punct('Percent', /%/, '%');
export const Question = punct('Question', /\?/, '?');
/** A Postgres-style numbered parameter: `$1`, `$2`, ... (a name such as `a$1` stays one identifier). */
export const DollarParameter = createToken({ name: 'DollarParameter', pattern: /\$\d+/, label: "'$n'" });

// Longer keywords first, so `TIMESTAMP_LTZ` is not lexed as `TIMESTAMP` + `_LTZ`.
const sortedKeywords = [...keywordTokens].sort(
  (a, b) => (b.LABEL ?? b.name).length - (a.LABEL ?? a.name).length,
);

/** All token types in lexing order. Categories come last (they match nothing themselves). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  Hint,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  QuotedIdentifier,
  UnterminatedQuotedIdentifier,
  NumberLiteral,
  Arrow,
  NotEquals,
  LessEquals,
  GreaterEquals,
  Equals,
  Less,
  Greater,
  Concat,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Dot,
  Star,
  Plus,
  Minus,
  Slash,
  Percent,
  Question,
  DollarParameter,
  ...sortedKeywords,
  Identifier,
  TimeUnitToken,
];

/** Every keyword, upper-case, for completion in the shell. */
export const KEYWORDS: readonly string[] = [...new Set(keywordNames)].sort();

/** The reserved keywords (not usable as names unless backquoted). */
export const RESERVED_KEYWORDS: ReadonlySet<string> = new Set(
  keywordTokens.filter((t) => !(t.CATEGORIES ?? []).includes(Identifier)).map((t) => t.LABEL ?? t.name),
);

/** The one lexer instance (building it validates the token set, so do it once). */
export const sqlLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
