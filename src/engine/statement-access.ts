/**
 * What a statement run on behalf of someone else (a served client) may do: only queries for a read-only
 * client, SHOW TOPICS and PRINT only when the operator allows them, and file paths — connector options and settings that name files or directories — only inside
 * the directories the operator allowed. The operator's own scripts run without these limits.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type * as ast from '../parser/ast.js';
import { EddyError, ErrorCode, type Span } from '../common/errors.js';

/** Limits on one statement (`Eddy.execute`'s `access` option). */
export interface StatementAccess {
  /** Only SELECT, SHOW, DESCRIBE and EXPLAIN: no DDL, INSERT, SET or STOP JOB. */
  readonly readOnly?: boolean;
  /** When set, every path a statement names (connector options, path settings) must lie inside one of these. */
  readonly allowedPaths?: readonly string[];
  /** Directories refused even inside an allowed one (the state directory, which holds jobs' state and views). */
  readonly deniedPaths?: readonly string[];
  /**
   * Whether SHOW TOPICS and PRINT may run. They read a Kafka cluster directly, past the catalog (any topic,
   * whatever tables the operator declared), so they are refused unless the operator allows them
   * (`eddy serve --allow-topics`).
   */
  readonly kafkaTopics?: boolean;
  /**
   * The server runs headless (`eddy serve --queries-file`, ksqlDB's headless mode): the file's persistent
   * queries are the server's, so clients only look — queries (pull and push), SHOW, DESCRIBE, EXPLAIN —
   * and create, change and stop nothing, whatever their token.
   */
  readonly headless?: boolean;
}

/** Statement kinds that read and change nothing. */
const READ_ONLY_KINDS: ReadonlySet<ast.Statement['kind']> = new Set([
  'QueryStatement',
  'ShowStatement',
  'DescribeStatement',
  'DescribeJobStatement',
  'ExplainStatement',
  'ShowTopicsStatement',
  'PrintStatement',
]);

/**
 * Option and setting keys whose value is a file or directory: `path` (filesystem, sqlite), and any key
 * ending in `.path`, `.dir`, `.file` or `.location` (`execution.savepoint.path`, `state.savepoints.dir`,
 * Kafka's `properties.ssl.truststore.location`).
 */
const PATH_KEY = /(^|[.-])(path|dir|file|location)$/i;

/** Refuses `stmt` when `access` does not allow it: an EddyError (ACCESS_DENIED) at the offending part. */
export function checkStatementAccess(stmt: ast.Statement, access: StatementAccess): void {
  if ((stmt.kind === 'ShowTopicsStatement' || stmt.kind === 'PrintStatement') && access.kafkaTopics !== true) {
    throw new EddyError({
      code: ErrorCode.ACCESS_DENIED,
      message: `${statementName(stmt)} is refused: this server does not let clients read Kafka topics directly`,
      span: stmt.span,
      hint: "query the tables the operator declared instead; the operator allows SHOW TOPICS and PRINT with 'eddy serve --allow-topics'",
    });
  }
  if (access.headless && !READ_ONLY_KINDS.has(stmt.kind)) {
    throw new EddyError({
      code: ErrorCode.ACCESS_DENIED,
      message: `This server runs headless (eddy serve --queries-file): ${statementName(stmt)} is refused`,
      span: stmt.span,
      hint: "clients run queries, SHOW, DESCRIBE and EXPLAIN; the server's persistent queries come from its queries file",
    });
  }
  if (access.readOnly && !READ_ONLY_KINDS.has(stmt.kind)) {
    throw new EddyError({
      code: ErrorCode.ACCESS_DENIED,
      message: `This connection is read-only: ${statementName(stmt)} is refused`,
      span: stmt.span,
      hint: 'a read-only client runs SELECT, SHOW, DESCRIBE and EXPLAIN; connect with the full-access token to change anything',
    });
  }
  if (!access.allowedPaths) return;
  const paths: { value: string; span: Span; key: string }[] = [];
  if (stmt.kind === 'CreateTable') {
    for (const o of stmt.options) if (PATH_KEY.test(o.key)) paths.push({ value: o.value, span: o.valueSpan, key: o.key });
  }
  // `/*+ OPTIONS('path' = ...) */` hints override a table's options for one statement: anywhere in a query
  // (subqueries, CTEs, joins, a view's definition) and on an INSERT's target.
  for (const hint of optionsHints(stmt)) {
    for (const o of hint.options) {
      if (PATH_KEY.test(o.key)) paths.push({ value: o.value, span: o.valueSpan, key: o.key });
      // Another connector would use the table's own path (the operator's) for what the client chooses.
      if (o.key.toLowerCase() === 'connector') {
        throw new EddyError({
          code: ErrorCode.ACCESS_DENIED,
          message: `'connector' cannot be changed by an OPTIONS hint on this server`,
          span: o.keySpan,
          hint: 'create a table of your own with that connector, under an allowed path',
        });
      }
    }
  }
  if (stmt.kind === 'SetStatement' && stmt.key !== undefined && stmt.value !== undefined && PATH_KEY.test(stmt.key)) {
    paths.push({ value: stmt.value, span: stmt.span, key: stmt.key });
  }
  for (const p of paths) {
    if (p.value === '') continue;
    const why = pathRefusal(p.value, access.allowedPaths, access.deniedPaths ?? []);
    if (why) {
      throw new EddyError({
        code: ErrorCode.ACCESS_DENIED,
        message: `'${p.key}' = '${p.value}' is refused: ${why}`,
        span: p.span,
        hint: `served clients may use files only under ${access.allowedPaths.join(', ')} (the server's --allow-path)`,
      });
    }
  }
}

/** Why `path` may not be used (undefined: it may). Symbolic links are followed as far as the path exists. */
export function pathRefusal(path: string, allowed: readonly string[], denied: readonly string[]): string | undefined {
  if (path.includes('\0')) return 'the path holds a NUL character';
  const real = realPath(resolve(path));
  const allowedDirs = allowed.map((d) => realPath(resolve(d)));
  if (!allowedDirs.some((a) => isWithin(real, a))) return 'it is outside the directories this server allows';
  const deniedDir = denied.map((d) => realPath(resolve(d))).find((d) => isWithin(real, d));
  // An allowed directory inside a denied one (the state directory's files/) stays allowed.
  if (deniedDir !== undefined && !allowedDirs.some((a) => isWithin(real, a) && isWithin(a, deniedDir) && a !== deniedDir)) {
    return "it is inside the server's state directory";
  }
  return undefined;
}

/** Every OPTIONS hint in a statement's tree (plain data; its depth is bounded by the parser's nesting limit). */
function optionsHints(node: unknown, out: ast.OptionsHint[] = []): ast.OptionsHint[] {
  if (Array.isArray(node)) {
    for (const n of node) optionsHints(n, out);
  } else if (node !== null && typeof node === 'object') {
    if ((node as { kind?: unknown }).kind === 'OptionsHint') out.push(node as ast.OptionsHint);
    else for (const v of Object.values(node)) optionsHints(v, out);
  }
  return out;
}

/** Whether `child` is `parent` or lies under it. */
function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The real path of `path`: its longest existing prefix with symbolic links resolved, then the rest. */
function realPath(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return path;
    rest.unshift(existing.slice(parent.length).replace(/^[/\\]/, ''));
    existing = parent;
  }
  try {
    return resolve(realpathSync(existing), ...rest);
  } catch {
    return path;
  }
}

function statementName(stmt: ast.Statement): string {
  switch (stmt.kind) {
    case 'CreateTable':
      return 'CREATE TABLE';
    case 'CreateView':
      return stmt.materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE VIEW';
    case 'DropStatement':
      return `DROP ${stmt.objectType}`;
    case 'InsertStatement':
      return 'INSERT';
    case 'StatementSet':
      return 'a statement set';
    case 'SetStatement':
      return 'SET';
    case 'ResetStatement':
      return 'RESET';
    case 'StopJobStatement':
      return 'STOP JOB';
    case 'ShowTopicsStatement':
      return 'SHOW TOPICS';
    case 'PrintStatement':
      return 'PRINT';
    case 'KsqlCreateAs':
      return `CREATE ${stmt.objectType} AS SELECT`;
    case 'RunScriptStatement':
      return 'RUN SCRIPT';
    case 'DefineStatement':
      return 'DEFINE';
    case 'UndefineStatement':
      return 'UNDEFINE';
    case 'UnsetStatement':
      return 'UNSET';
    case 'TerminateStatement':
      return 'TERMINATE';
    case 'QueryStatement':
    case 'ShowStatement':
    case 'DescribeStatement':
    case 'DescribeJobStatement':
    case 'ExplainStatement':
      return stmt.kind;
  }
}
