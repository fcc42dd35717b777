/** CST → AST for statements and queries; expressions and types come from ExpressionBuilder. */
import type { CstNode, IToken } from 'chevrotain';
import { ErrorCode, closestMatch, joinSpans, type Span } from '../common/errors.js';
import type * as A from './ast.js';

import {
  ExpressionBuilder,
  ctxSpan,
  node,
  nodeSpan,
  nodes,
  stringValue,
  timeUnitOf,
  tok,
  tokenSpan,
  toks,
  type BuildContext,
  type Ctx,
} from './ast-builder-expressions.js';
import { parseOptionsHint } from './hints.js';
import { isKsqlPropertyName } from './ksql-properties.js';
import { buildKsqlWindow, UNIT_MS, type KsqlWindowProperty } from './ksql-window-clause.js';

/** Every SHOW form, as an error message lists them. */
export const SHOW_FORMS: readonly string[] = [
  'SHOW TABLES',
  'SHOW VIEWS',
  'SHOW MATERIALIZED VIEWS',
  'SHOW FUNCTIONS',
  'SHOW JOBS',
  'SHOW CATALOGS',
  'SHOW DATABASES',
  'SHOW CURRENT CATALOG',
  'SHOW CURRENT DATABASE',
  'SHOW CREATE TABLE t',
  'SHOW CREATE VIEW v',
  'SHOW COLUMNS FROM t',
  'SHOW [ALL] TOPICS',
  'SHOW STREAMS',
  'SHOW QUERIES',
  'SHOW PROPERTIES',
  'SHOW VARIABLES',
];
/** What CREATE says before TABLE / STREAM. */
interface CreateOuter {
  readonly temporary: boolean;
  readonly orReplace: boolean;
  readonly source: boolean;
  readonly span: Span;
}


/** What ksqlDB's `LIST` (its synonym of SHOW) may be followed by. */
const LIST_FORMS: ReadonlySet<string> = new Set(['TABLES', 'STREAMS', 'QUERIES', 'PROPERTIES', 'FUNCTIONS', 'VARIABLES', 'TOPICS']);
type TableElement =
  | { readonly type: 'column'; readonly column: A.ColumnDef; readonly primaryKey?: Span }
  | { readonly type: 'watermark'; readonly watermark: A.WatermarkDef }
  | { readonly type: 'primaryKey'; readonly columns: A.Identifier[]; readonly span: Span };

/** Builds the AST of one statement from its CST. Reusable: {@link AstBuilder.build} resets the state. */
export class AstBuilder extends ExpressionBuilder {
  constructor() {
    super();
    this.validateVisitor();
  }

  /** Builds a statement (or, for tools, an expression); problems found go to `context.diagnostics`. */
  build<T>(cst: CstNode, context: BuildContext): T {
    this.ctx = context;
    this.pendingStars.clear();
    const result = this.visit(cst) as T;
    for (const star of this.pendingStars.keys()) {
      this.error(ErrorCode.UNEXPECTED_TOKEN, "'.*' is only allowed in a select list", star.span);
    }
    return result;
  }

  private base(span: Span): { span: Span; text: string } {
    return { span, text: this.ctx.text.slice(span.start, span.end) };
  }

  private qualifiedName$(n: CstNode | undefined): A.QualifiedName {
    return this.qualifiedName(n!.children);
  }

  private identifiers(n: CstNode | undefined): A.Identifier[] | undefined {
    return n === undefined ? undefined : this.identifierList(n.children);
  }

  statement(ctx: Ctx): A.Statement {
    const q = node(ctx, 'query');
    if (q !== undefined) return { kind: 'QueryStatement', query: this.queryOf(q), ...this.base(ctxSpan(ctx)) };
    return this.visit(Object.values(ctx)[0]![0] as CstNode) as A.Statement;
  }

  createStatement(ctx: Ctx): A.CreateTable | A.CreateView | A.KsqlCreateAs {
    const temporary = tok(ctx, 'TemporaryKw') !== undefined;
    const orReplace = tok(ctx, 'orReplace');
    const source = tok(ctx, 'source');
    const view = node(ctx, 'createViewBody');
    if (view !== undefined) {
      const ksqlWord = orReplace ?? source;
      if (ksqlWord !== undefined) {
        this.error(ErrorCode.UNEXPECTED_TOKEN, `${orReplace ? 'OR REPLACE' : 'SOURCE'} is ksqlDB's, for CREATE STREAM and CREATE TABLE, not for views`, tokenSpan(ksqlWord));
      }
      return this.visit(view, { temporary, span: ctxSpan(ctx) }) as A.CreateView;
    }
    const outer: CreateOuter = { temporary, orReplace: orReplace !== undefined, source: source !== undefined, span: ctxSpan(ctx) };
    return this.visit(node(ctx, 'createTableBody')!, outer) as A.CreateTable | A.KsqlCreateAs;
  }

  ifNotExists(): true {
    return true;
  }

  createTableBody(ctx: Ctx, outer: CreateOuter): A.CreateTable | A.KsqlCreateAs {
    const objectTok = tok(ctx, 'objectType')!;
    const objectType = objectTok.image.toUpperCase() === 'STREAM' ? 'STREAM' : 'TABLE';
    const optionNodes = nodes(ctx, 'withOptions');
    const query = node(ctx, 'query');
    if (query !== undefined || nodes(ctx, 'tableElement').length === 0) return this.ksqlCreateAs(ctx, outer, objectType, objectTok);
    const columns: A.ColumnDef[] = [];
    let watermark: A.WatermarkDef | undefined;
    let primaryKey: A.Identifier[] | undefined;
    const setKey = (ids: A.Identifier[], span: Span) => {
      if (primaryKey !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, 'A table has only one PRIMARY KEY', span);
      primaryKey = ids;
    };
    for (const el of nodes(ctx, 'tableElement').map((n) => this.tableElement(n.children))) {
      if (el.type === 'column') {
        columns.push(el.column);
        if (el.primaryKey !== undefined) setKey([el.column.name], el.primaryKey);
      } else if (el.type === 'watermark') {
        if (watermark !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, 'A table has only one WATERMARK', el.watermark.span);
        watermark = el.watermark;
      } else {
        setKey(el.columns, el.span);
      }
    }
    const comment = tok(ctx, 'comment');
    const partitionedBy = this.identifiers(node(ctx, 'partitionedBy'));
    const options = optionNodes[0];
    const ksql = this.ksqlSourceInfo(ctx, outer, objectType, objectTok, options);
    if (ksql !== undefined) {
      return {
        kind: 'CreateTable',
        name: this.qualifiedName$(node(ctx, 'qualifiedName')),
        temporary: false,
        ifNotExists: node(ctx, 'ifNotExists') !== undefined,
        columns,
        options: options === undefined ? [] : this.ksqlOptions(options.children),
        ksql,
        ...this.base(outer.span),
      };
    }
    return {
      kind: 'CreateTable',
      name: this.qualifiedName$(node(ctx, 'qualifiedName')),
      temporary: outer.temporary,
      ifNotExists: node(ctx, 'ifNotExists') !== undefined,
      columns,
      ...(watermark === undefined ? {} : { watermark }),
      ...(primaryKey === undefined ? {} : { primaryKey }),
      ...(partitionedBy === undefined ? {} : { partitionedBy }),
      ...(comment === undefined ? {} : { comment: stringValue(comment) }),
      options: options === undefined ? [] : this.withOptions(options.children),
      ...this.base(outer.span),
    };
  }

  /**
   * ksqlDB's CREATE STREAM, or a CREATE TABLE that is ksqlDB's (its columns say `KEY` or `PRIMARY KEY` without
   * NOT ENFORCED, or its WITH keys are unquoted ksqlDB property names): what makes it so; undefined for Flink's
   * CREATE TABLE. Reports what ksqlDB's CREATE cannot have (WATERMARK, COMMENT, PARTITIONED BY, TEMPORARY, ...).
   */
  private ksqlSourceInfo(ctx: Ctx, outer: CreateOuter, objectType: 'STREAM' | 'TABLE', objectTok: IToken, options: CstNode | undefined): A.KsqlSourceInfo | undefined {
    const elements = nodes(ctx, 'tableElement');
    const columnDefs = elements.map((e) => node(e.children, 'columnDef')).filter((n): n is CstNode => n !== undefined);
    const streamKeys = columnDefs.filter((c) => tok(c.children, 'ksqlKey') !== undefined);
    const tableKeys = columnDefs.filter((c) => tok(c.children, 'Primary') !== undefined && node(c.children, 'notEnforced') === undefined);
    const optionKeys = (options === undefined ? [] : nodes(options.children, 'tableOption')).map((o) => node(o.children, 'keyName'));
    const ksqlNamed = optionKeys.some((k) => k !== undefined && isKsqlPropertyName(this.qualifiedName$(k).parts.map((p) => p.name).join('.')));
    const quotedConnector = (options === undefined ? [] : nodes(options.children, 'tableOption')).some((o) => {
      const key = tok(o.children, 'key');
      return key !== undefined && stringValue(key) === 'connector';
    });
    const isKsql = objectType === 'STREAM' || outer.orReplace || outer.source || streamKeys.length > 0 || tableKeys.length > 0 || (ksqlNamed && !quotedConnector);
    if (!isKsql) return undefined;
    if (outer.temporary) this.error(ErrorCode.UNEXPECTED_TOKEN, `ksqlDB's CREATE ${objectType} cannot be TEMPORARY`, ctxSpan(ctx));
    for (const e of elements) {
      const wm = node(e.children, 'watermarkDef') ?? node(e.children, 'primaryKeyConstraint');
      if (wm !== undefined) {
        this.error(
          ErrorCode.UNEXPECTED_TOKEN,
          `ksqlDB's CREATE ${objectType} has no ${wm.name === 'watermarkDef' ? 'WATERMARK (its time is ROWTIME, or the TIMESTAMP property)' : 'table-level PRIMARY KEY (mark the column: id INT PRIMARY KEY)'}`,
          nodeSpan(wm),
        );
      }
    }
    for (const c of columnDefs) {
      const notEnforced = node(c.children, 'notEnforced');
      if (notEnforced !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, "ksqlDB's key columns are enforced: leave out NOT ENFORCED", nodeSpan(notEnforced));
      const metadata = node(c.children, 'metadataClause');
      if (metadata !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, "ksqlDB's streams and tables have no METADATA columns: read ROWTIME, ROWPARTITION and ROWOFFSET instead", nodeSpan(metadata));
      if (node(c.children, 'dataType') === undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, "ksqlDB's streams and tables have no computed columns", ctxSpan(c.children));
    }
    for (const label of ['comment', 'partitionedBy']) {
      const t = ctx[label]?.[0];
      if (t !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, `ksqlDB's CREATE ${objectType} has no ${label === 'comment' ? 'COMMENT' : 'PARTITIONED BY'}`, 'image' in t ? tokenSpan(t) : nodeSpan(t));
    }
    const wrongKeys = objectType === 'STREAM' ? tableKeys : streamKeys;
    for (const c of wrongKeys) {
      const at = tok(c.children, objectType === 'STREAM' ? 'Primary' : 'ksqlKey')!;
      this.error(
        ErrorCode.UNEXPECTED_TOKEN,
        objectType === 'STREAM'
          ? `Column '${tok(c.children, 'name')!.image}' is a PRIMARY KEY column: streams have KEY columns, tables have PRIMARY KEYs`
          : `Column '${tok(c.children, 'name')!.image}' is a KEY column: tables have PRIMARY KEY columns, streams have KEYs`,
        tokenSpan(at),
        objectType === 'STREAM' ? 'write KEY' : 'write PRIMARY KEY',
      );
    }
    const keys = objectType === 'STREAM' ? streamKeys : tableKeys;
    if (objectType === 'TABLE' && keys.length === 0 && wrongKeys.length === 0) {
      this.error(ErrorCode.INVALID_STATEMENT, "A ksqlDB table needs a PRIMARY KEY column: `id INT PRIMARY KEY`", tokenSpan(objectTok));
    }
    return { objectType, orReplace: outer.orReplace, source: outer.source, keyColumns: keys.map((c) => this.identifier(tok(c.children, 'name')!)) };
  }

  /** ksqlDB's WITH: keys upper-cased (ksqlDB's property names are case-insensitive), values as written. */
  private ksqlOptions(ctx: Ctx): A.TableOption[] {
    return nodes(ctx, 'tableOption').map((n) => {
      const o = this.tableOption(n.children);
      if (tok(n.children, 'key') !== undefined) {
        this.error(ErrorCode.UNEXPECTED_TOKEN, `ksqlDB's properties are names, not strings: write ${o.key.toUpperCase()} = ..., without quotes`, o.keySpan);
      }
      return { ...o, key: o.key.toUpperCase() };
    });
  }

  /** ksqlDB's `CREATE [OR REPLACE] STREAM|TABLE name [WITH (..)] AS query`. */
  private ksqlCreateAs(ctx: Ctx, outer: CreateOuter, objectType: 'STREAM' | 'TABLE', objectTok: IToken): A.KsqlCreateAs {
    const name = this.qualifiedName$(node(ctx, 'qualifiedName'));
    const query = node(ctx, 'query');
    const options = node(ctx, 'withOptions');
    if (query === undefined) {
      this.error(
        ErrorCode.INVALID_STATEMENT,
        `CREATE ${objectType} ${name.parts.map((p) => p.name).join('.')} needs its columns: Eddy does not infer them from a schema registry`,
        name.span,
        objectType === 'STREAM' ? 'CREATE STREAM s (id INT KEY, name STRING) WITH (...)' : 'CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (...)',
      );
    }
    if (outer.temporary) this.error(ErrorCode.UNEXPECTED_TOKEN, `CREATE ${objectType} ... AS SELECT cannot be TEMPORARY`, tokenSpan(objectTok));
    if (outer.source) this.error(ErrorCode.UNEXPECTED_TOKEN, `CREATE SOURCE ${objectType} cannot have AS SELECT: a source ${objectType.toLowerCase()} is read-only`, tokenSpan(objectTok));
    return {
      kind: 'KsqlCreateAs',
      objectType,
      orReplace: outer.orReplace,
      ifNotExists: node(ctx, 'ifNotExists') !== undefined,
      name,
      options: options === undefined ? [] : this.ksqlOptions(options.children),
      query: query === undefined ? { kind: 'Query', with: [], body: { kind: 'Values', rows: [], span: name.span }, orderBy: [], span: name.span } : this.queryOf(query),
      ...this.base(outer.span),
    };
  }

  tableElement(ctx: Ctx): TableElement {
    const wm = node(ctx, 'watermarkDef');
    if (wm !== undefined) return { type: 'watermark', watermark: this.watermarkDef(wm.children) };
    const pk = node(ctx, 'primaryKeyConstraint');
    if (pk !== undefined) return { type: 'primaryKey', columns: this.primaryKeyConstraint(pk.children), span: nodeSpan(pk) };
    return this.columnDef(node(ctx, 'columnDef')!.children);
  }

  watermarkDef(ctx: Ctx): A.WatermarkDef {
    return { kind: 'WatermarkDef', column: this.identifier(tok(ctx, 'Identifier')!), expr: this.expr(node(ctx, 'expression')), span: ctxSpan(ctx) };
  }

  primaryKeyConstraint(ctx: Ctx): A.Identifier[] {
    return this.identifierList(node(ctx, 'identifierList')!.children);
  }

  notEnforced(): true {
    return true;
  }

  metadataClause(): true {
    return true;
  }

  columnDef(ctx: Ctx): TableElement {
    const span = ctxSpan(ctx);
    const name = this.identifier(tok(ctx, 'name')!);
    const commentTok = tok(ctx, 'comment');
    const comment = commentTok === undefined ? {} : { comment: stringValue(commentTok) };
    const typeNode = node(ctx, 'dataType');
    if (typeNode === undefined) {
      return { type: 'column', column: { kind: 'ComputedColumn', name, expr: this.expr(node(ctx, 'expression')), ...comment, span } };
    }
    const type = this.dataType(typeNode.children);
    const primary = tok(ctx, 'Primary');
    const notEnforced = node(ctx, 'notEnforced');
    const metadata = node(ctx, 'metadataClause');
    if (metadata !== undefined) {
      if (primary !== undefined) {
        this.error(ErrorCode.UNEXPECTED_TOKEN, `The METADATA column '${name.name}' cannot be a PRIMARY KEY: a key is made of physical columns`, tokenSpan(primary));
      }
      const keyTok = tok(metadata.children, 'key');
      const key = keyTok === undefined ? name.name : stringValue(keyTok);
      const keySpan = keyTok === undefined ? name.span : tokenSpan(keyTok);
      if (key.trim() === '') this.error(ErrorCode.UNEXPECTED_TOKEN, 'A METADATA key cannot be empty', keySpan);
      const virtual = tok(metadata.children, 'VirtualKw') !== undefined;
      return { type: 'column', column: { kind: 'MetadataColumn', name, type, key, keySpan, virtual, ...comment, span } };
    }
    const column: A.PhysicalColumn = { kind: 'PhysicalColumn', name, type, ...comment, span };
    // PRIMARY KEY without NOT ENFORCED, and KEY, are ksqlDB's (see ksqlSourceInfo).
    return primary === undefined || notEnforced === undefined
      ? { type: 'column', column }
      : { type: 'column', column, primaryKey: joinSpans(tokenSpan(primary), nodeSpan(notEnforced)) };
  }

  /** The `/*+ OPTIONS(...) *\/` hint token after a table name, parsed (its problems become diagnostics). */
  private optionsHint(token: IToken | undefined): A.OptionsHint | undefined {
    if (token === undefined) return undefined;
    const parsed = parseOptionsHint(token, this.ctx.text);
    this.ctx.diagnostics.push(...parsed.diagnostics);
    return parsed.hint;
  }

  withOptions(ctx: Ctx): A.TableOption[] {
    return nodes(ctx, 'tableOption').map((n) => this.tableOption(n.children));
  }

  tableOption(ctx: Ctx): A.TableOption {
    const keyTok = tok(ctx, 'key');
    const keyName = node(ctx, 'keyName');
    const valueTok = tok(ctx, 'value')!;
    const keySpan = keyTok !== undefined ? tokenSpan(keyTok) : nodeSpan(keyName!);
    const key = keyTok !== undefined ? stringValue(keyTok) : this.qualifiedName$(keyName).parts.map((p) => p.name).join('.');
    const value = valueTok.image.startsWith("'") ? stringValue(valueTok) : valueTok.tokenType.name === 'NumberLiteral' ? valueTok.image : valueTok.image.toLowerCase();
    return { kind: 'TableOption', key, value, keySpan, valueSpan: tokenSpan(valueTok), span: ctxSpan(ctx) };
  }

  createViewBody(ctx: Ctx, outer: { temporary: boolean; span: Span }): A.CreateView {
    const columnNames = this.identifiers(node(ctx, 'identifierList'));
    return {
      kind: 'CreateView',
      materialized: tok(ctx, 'MaterializedKw') !== undefined,
      name: this.qualifiedName$(node(ctx, 'qualifiedName')),
      temporary: outer.temporary,
      ifNotExists: node(ctx, 'ifNotExists') !== undefined,
      ...(columnNames === undefined ? {} : { columnNames }),
      query: this.queryOf(node(ctx, 'query')),
      ...this.base(outer.span),
    };
  }

  dropStatement(ctx: Ctx): A.DropStatement {
    const word = tok(ctx, 'objectType')!.image.toUpperCase();
    const deleteTopic = tok(ctx, 'deleteTopic');
    if (deleteTopic !== undefined && word !== 'TABLE' && word !== 'STREAM') {
      this.error(ErrorCode.UNEXPECTED_TOKEN, 'DELETE TOPIC is for ksqlDB streams and tables', tokenSpan(deleteTopic));
    }
    return {
      kind: 'DropStatement',
      objectType: word === 'TABLE' ? 'TABLE' : word === 'STREAM' ? 'STREAM' : tok(ctx, 'MaterializedKw') ? 'MATERIALIZED VIEW' : 'VIEW',
      ...(deleteTopic === undefined ? {} : { deleteTopic: true }),
      name: this.qualifiedName$(node(ctx, 'qualifiedName')),
      ifExists: tok(ctx, 'IfKw') !== undefined,
      temporary: tok(ctx, 'TemporaryKw') !== undefined,
      cascade: tok(ctx, 'CascadeKw') !== undefined,
      ...this.base(ctxSpan(ctx)),
    };
  }

  insertStatement(ctx: Ctx): A.InsertStatement {
    const columns = this.identifiers(node(ctx, 'identifierList'));
    const hint = this.optionsHint(tok(ctx, 'hint'));
    return {
      kind: 'InsertStatement',
      target: this.qualifiedName$(node(ctx, 'qualifiedName')),
      ...(hint === undefined ? {} : { hint }),
      ...(columns === undefined ? {} : { columns }),
      overwrite: tok(ctx, 'OverwriteKw') !== undefined,
      query: this.queryOf(node(ctx, 'query')),
      ...this.base(ctxSpan(ctx)),
    };
  }

  statementSet(ctx: Ctx): A.StatementSet {
    const inserts = nodes(ctx, 'insertStatement').map((n) => this.insertStatement(n.children));
    return { kind: 'StatementSet', inserts, ...this.base(ctxSpan(ctx)) };
  }

  setStatement(ctx: Ctx): A.SetStatement {
    const key = tok(ctx, 'key');
    const value = tok(ctx, 'value');
    return {
      kind: 'SetStatement',
      ...(key === undefined || value === undefined ? {} : { key: stringValue(key), value: stringValue(value) }),
      ...this.base(ctxSpan(ctx)),
    };
  }

  resetStatement(ctx: Ctx): A.ResetStatement {
    const key = tok(ctx, 'key');
    return { kind: 'ResetStatement', ...(key === undefined ? {} : { key: stringValue(key) }), ...this.base(ctxSpan(ctx)) };
  }

  showStatement(ctx: Ctx): A.ShowStatement | A.ShowTopicsStatement {
    const base = this.base(ctxSpan(ctx));
    const list = tok(ctx, 'list');
    const listed = tok(ctx, 'topics') ?? tok(ctx, 'what');
    if (list !== undefined && listed !== undefined && !LIST_FORMS.has(listed.image.toUpperCase())) {
      this.error(
        ErrorCode.UNEXPECTED_TOKEN,
        `LIST is ksqlDB's synonym of SHOW for ${[...LIST_FORMS].join(', ')} only`,
        joinSpans(tokenSpan(list), tokenSpan(listed)),
        'write SHOW instead of LIST',
      );
    }
    if (tok(ctx, 'topics') !== undefined) return { kind: 'ShowTopicsStatement', all: tok(ctx, 'all') !== undefined, extended: tok(ctx, 'extended') !== undefined, ...base };
    const unknown = tok(ctx, 'unknown');
    if (unknown !== undefined) {
      const forms = SHOW_FORMS.map((f) => f.replace(/^SHOW /, ''));
      const near = closestMatch(unknown.image.toUpperCase(), forms.map((f) => f.split(' ')[0]!));
      this.error(
        ErrorCode.UNEXPECTED_TOKEN,
        `There is no SHOW ${unknown.image}: Eddy has ${SHOW_FORMS.join(', ')}`,
        tokenSpan(unknown),
        near ? `did you mean \`SHOW ${forms.find((f) => f.startsWith(near + ' ') || f === near)}\`?` : undefined,
      );
      return { kind: 'ShowStatement', what: 'TABLES', ...base };
    }
    const word = tok(ctx, 'what')!.image.toUpperCase();
    const prefix = tok(ctx, 'MaterializedKw') ? 'MATERIALIZED ' : tok(ctx, 'Current') ? 'CURRENT ' : tok(ctx, 'Create') ? 'CREATE ' : '';
    const name = node(ctx, 'qualifiedName');
    return {
      kind: 'ShowStatement',
      what: (prefix + word) as A.ShowWhat,
      ...(name ? { name: this.qualifiedName$(name) } : {}),
      ...(tok(ctx, 'extended') !== undefined ? { extended: true } : {}),
      ...(list !== undefined ? { list: true } : {}),
      ...base,
    };
  }

  printStatement(ctx: Ctx): A.PrintStatement {
    const topic = tok(ctx, 'topic')!;
    const name = topic.tokenType.name === 'StringLiteral' ? stringValue(topic) : this.identifier(topic).name;
    if (name === '') this.error(ErrorCode.INVALID_STATEMENT, 'PRINT needs a topic name', tokenSpan(topic));
    const count = (key: 'interval' | 'limit'): number | undefined => {
      const t = tok(ctx, key);
      if (t === undefined) return undefined;
      const n = Number(t.image);
      if (!/^\d+$/.test(t.image) || !Number.isSafeInteger(n) || n < 1) {
        this.error(ErrorCode.INVALID_STATEMENT, `${key.toUpperCase()} takes a whole number of records, at least 1, not ${t.image}`, tokenSpan(t));
        return 1;
      }
      return n;
    };
    const limit = count('limit');
    return {
      kind: 'PrintStatement',
      topic: name,
      topicSpan: tokenSpan(topic),
      fromBeginning: tok(ctx, 'beginning') !== undefined,
      interval: count('interval') ?? 1,
      ...(limit === undefined ? {} : { limit }),
      ...this.base(ctxSpan(ctx)),
    };
  }

  stopJobStatement(ctx: Ctx): A.StopJobStatement {
    return { kind: 'StopJobStatement', jobId: stringValue(tok(ctx, 'id')!), withSavepoint: tok(ctx, 'savepoint') !== undefined, ...this.base(ctxSpan(ctx)) };
  }

  describeStatement(ctx: Ctx): A.DescribeStatement | A.DescribeJobStatement {
    const jobId = tok(ctx, 'jobId');
    if (jobId !== undefined) return { kind: 'DescribeJobStatement', jobId: stringValue(jobId), ...this.base(ctxSpan(ctx)) };
    return {
      kind: 'DescribeStatement',
      name: this.qualifiedName$(node(ctx, 'qualifiedName')),
      ...(tok(ctx, 'extended') !== undefined ? { extended: true } : {}),
      ...this.base(ctxSpan(ctx)),
    };
  }

  runScriptStatement(ctx: Ctx): A.RunScriptStatement {
    const path = tok(ctx, 'path')!;
    const value = stringValue(path);
    if (value.trim() === '') this.error(ErrorCode.INVALID_STATEMENT, 'RUN SCRIPT needs a file name', tokenSpan(path));
    return { kind: 'RunScriptStatement', path: value, pathSpan: tokenSpan(path), ...this.base(ctxSpan(ctx)) };
  }

  defineStatement(ctx: Ctx): A.DefineStatement {
    const name = this.variableName(tok(ctx, 'name')!);
    return { kind: 'DefineStatement', name, value: stringValue(tok(ctx, 'value')!), ...this.base(ctxSpan(ctx)) };
  }

  undefineStatement(ctx: Ctx): A.UndefineStatement {
    const name = tok(ctx, 'name')!;
    return { kind: 'UndefineStatement', name: this.variableName(name), nameSpan: tokenSpan(name), ...this.base(ctxSpan(ctx)) };
  }

  /** A variable's name: ksqlDB's are plain names (a letter or `_`, then letters, digits and `_`), never backquoted. */
  private variableName(t: IToken): string {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.image)) {
      this.error(ErrorCode.INVALID_STATEMENT, `A variable's name is a plain name (a letter or '_', then letters, digits or '_'), not ${t.image}`, tokenSpan(t));
    }
    return t.image;
  }

  unsetStatement(ctx: Ctx): A.UnsetStatement {
    return { kind: 'UnsetStatement', key: stringValue(tok(ctx, 'key')!), ...this.base(ctxSpan(ctx)) };
  }

  terminateStatement(ctx: Ctx): A.TerminateStatement {
    const id = tok(ctx, 'id');
    if (id === undefined) return { kind: 'TerminateStatement', ...this.base(ctxSpan(ctx)) };
    const idNumber = tok(ctx, 'idNumber');
    if (idNumber !== undefined) {
      const span = joinSpans(tokenSpan(id), tokenSpan(idNumber));
      const written = this.ctx.text.slice(span.start, span.end);
      if (!/^[A-Za-z_][A-Za-z0-9_]*-\d+$/.test(written)) this.error(ErrorCode.INVALID_STATEMENT, `Not a query id: ${written}`, span, `TERMINATE '${written.replace(/\s+/g, '')}'`);
      return { kind: 'TerminateStatement', queryId: written, queryIdSpan: span, ...this.base(ctxSpan(ctx)) };
    }
    const queryId = id.tokenType.name === 'StringLiteral' ? stringValue(id) : this.identifier(id).name;
    return { kind: 'TerminateStatement', queryId, queryIdSpan: tokenSpan(id), ...this.base(ctxSpan(ctx)) };
  }

  explainStatement(ctx: Ctx): A.ExplainStatement {
    const insert = node(ctx, 'insertStatement');
    const set = node(ctx, 'statementSet');
    const q = node(ctx, 'query');
    const statement: A.ExplainStatement['statement'] =
      insert !== undefined
        ? this.insertStatement(insert.children)
        : set !== undefined
          ? this.statementSet(set.children)
          : { kind: 'QueryStatement', query: this.queryOf(q), ...this.base(nodeSpan(q!)) };
    return { kind: 'ExplainStatement', statement, ...this.base(ctxSpan(ctx)) };
  }

  // ---------------------------------------------------------------------------------------------------
  // Queries

  query(ctx: Ctx): A.Query {
    const emitLimit = node(ctx, 'emitLimit');
    const limit = node(ctx, 'limit') ?? emitLimit;
    const offset = node(ctx, 'offset');
    const emit = tok(ctx, 'emit');
    const second = node(ctx, 'limit') && emitLimit ? emitLimit : undefined;
    return {
      kind: 'Query',
      with: nodes(ctx, 'commonTableExpr').map((n) => this.commonTableExpr(n.children)),
      body: this.queryBody(node(ctx, 'queryBody')!.children),
      orderBy: nodes(ctx, 'orderItem').map((n) => this.orderItem(n.children)),
      ...(limit === undefined ? {} : { limit: this.expr(limit) }),
      ...(offset === undefined ? {} : { offset: this.expr(offset) }),
      ...(emit === undefined ? {} : { emit: emit.image.toUpperCase() as 'CHANGES' | 'FINAL' }),
      ...(second === undefined ? {} : { secondLimit: this.expr(second) }),
      span: ctxSpan(ctx),
    };
  }

  commonTableExpr(ctx: Ctx): A.CommonTableExpr {
    const columnNames = this.identifiers(node(ctx, 'identifierList'));
    return {
      kind: 'CommonTableExpr',
      name: this.identifier(tok(ctx, 'Identifier')!),
      ...(columnNames === undefined ? {} : { columnNames }),
      query: this.queryOf(node(ctx, 'query')),
      span: ctxSpan(ctx),
    };
  }

  queryBody(ctx: Ctx): A.QueryBody {
    const terms = nodes(ctx, 'queryTerm');
    const ops = toks(ctx, 'setOp');
    const quantifiers = toks(ctx, 'quantifier');
    let left = this.queryTerm(terms[0]!.children);
    for (let i = 1; i < terms.length; i++) {
      const op = ops[i - 1]!;
      const termStart = nodeSpan(terms[i]!).start;
      // Quantifiers are optional, so match each to its operator by position.
      const q = quantifiers.find((t) => t.startOffset > op.startOffset && t.startOffset < termStart);
      const right = this.queryTerm(terms[i]!.children);
      left = {
        kind: 'SetOperation',
        op: op.image.toUpperCase() as A.SetOperation['op'],
        all: q !== undefined && q.image.toUpperCase() === 'ALL',
        left,
        right,
        span: joinSpans(left.span, right.span),
      };
    }
    return left;
  }

  queryTerm(ctx: Ctx): A.QueryBody {
    const select = node(ctx, 'select');
    if (select !== undefined) return this.select(select.children);
    const values = node(ctx, 'values');
    if (values !== undefined) return this.values(values.children);
    const inner = this.queryOf(node(ctx, 'query'));
    // `(SELECT ...)` with nothing of its own around the body is just the body.
    const trivial = inner.with.length === 0 && inner.orderBy.length === 0 && !inner.limit && !inner.offset && !inner.emit;
    return trivial ? inner.body : { ...inner, span: ctxSpan(ctx) };
  }

  select(ctx: Ctx): A.Select {
    const from = node(ctx, 'fromClause');
    const where = node(ctx, 'where');
    const groupBy = node(ctx, 'groupBy');
    const partitionBy = node(ctx, 'partitionBy');
    const having = node(ctx, 'having');
    return {
      kind: 'Select',
      distinct: tok(ctx, 'quantifier')?.image.toUpperCase() === 'DISTINCT',
      items: nodes(ctx, 'selectItem').map((n) => this.selectItem(n.children)),
      ...(from === undefined ? {} : { from: this.fromClause(from.children) }),
      ...(where === undefined ? {} : { where: this.expr(where) }),
      groupBy: groupBy === undefined ? [] : this.expressionList(groupBy.children),
      ...(having === undefined ? {} : { having: this.expr(having) }),
      ...(ctx['namedWindow'] === undefined ? {} : { windows: nodes(ctx, 'namedWindow').map((n) => this.namedWindow(n.children)) }),
      ...(partitionBy === undefined ? {} : { partitionBy: this.expressionList(partitionBy.children) }),
      ...(ctx['ksqlWindowClause'] === undefined ? {} : { ksqlWindow: this.ksqlWindowClause(node(ctx, 'ksqlWindowClause')!.children) }),
      span: ctxSpan(ctx),
    };
  }

  ksqlWindowClause(ctx: Ctx): A.KsqlWindow {
    const type = tok(ctx, 'type')!.image.toUpperCase() as A.KsqlWindow['type'];
    const props = nodes(ctx, 'ksqlWindowProperty').map((n) => this.ksqlWindowProperty(n.children));
    return buildKsqlWindow(type, props, ctxSpan(ctx), (code, message, span, hint) => this.error(code, message, span, hint));
  }

  ksqlWindowProperty(ctx: Ctx): KsqlWindowProperty {
    const duration = node(ctx, 'ksqlDuration')!;
    const name = (tok(ctx, 'name')?.image.toUpperCase() ?? '') as KsqlWindowProperty['name'];
    return { name, ...this.ksqlDuration(duration.children), span: ctxSpan(ctx), durationSpan: nodeSpan(duration) };
  }

  ksqlDuration(ctx: Ctx): { amount: number; unit: string } {
    const amount = Number(tok(ctx, 'amount')!.image);
    return { amount: tok(ctx, 'minus') === undefined ? amount : -amount, unit: timeUnitOf(tok(ctx, 'unit')!.image) };
  }

  namedWindow(ctx: Ctx): A.NamedWindow {
    const spec = node(ctx, 'windowSpec')!;
    const open = tok(ctx, 'LParen')!;
    const close = tok(ctx, 'RParen')!;
    return { kind: 'NamedWindow', name: this.identifier(tok(ctx, 'Identifier')!), spec: this.windowSpec(spec.children, joinSpans(tokenSpan(open), tokenSpan(close))), span: ctxSpan(ctx) };
  }

  selectItem(ctx: Ctx): A.SelectItem {
    const span = ctxSpan(ctx);
    if (tok(ctx, 'Star') !== undefined) return { kind: 'SelectStar', span };
    const expr = this.expr(node(ctx, 'expression'));
    const aliasNode = node(ctx, 'alias');
    const qualifier = expr.kind === 'StarExpr' ? this.pendingStars.get(expr) : undefined;
    if (expr.kind === 'StarExpr' && qualifier !== undefined) {
      this.pendingStars.delete(expr);
      if (aliasNode !== undefined) this.error(ErrorCode.UNEXPECTED_TOKEN, "'.*' cannot have an alias", nodeSpan(aliasNode));
      return { kind: 'SelectStar', qualifier, span };
    }
    return { kind: 'SelectExpr', expr, ...(aliasNode === undefined ? {} : { alias: this.alias(aliasNode.children) }), span };
  }

  alias(ctx: Ctx): A.Identifier {
    return this.identifier(tok(ctx, 'Identifier')!);
  }

  values(ctx: Ctx): A.Values {
    return { kind: 'Values', rows: nodes(ctx, 'expressionList').map((n) => this.expressionList(n.children)), span: ctxSpan(ctx) };
  }

  orderItem(ctx: Ctx): A.OrderItem {
    const nulls = tok(ctx, 'nulls');
    return {
      kind: 'OrderItem',
      expr: this.expr(node(ctx, 'expression')),
      descending: tok(ctx, 'direction')?.image.toUpperCase() === 'DESC',
      ...(nulls === undefined ? {} : { nullsFirst: nulls.image.toUpperCase() === 'FIRST' }),
      span: ctxSpan(ctx),
    };
  }

  fromClause(ctx: Ctx): A.TableRef {
    const tables = nodes(ctx, 'joinedTable').map((n) => this.joinedTable(n.children));
    return tables.reduce((left, right) => ({ kind: 'JoinRef', joinType: 'CROSS', left, right, span: joinSpans(left.span, right.span) }));
  }

  joinedTable(ctx: Ctx): A.TableRef {
    let left = this.tablePrimary(node(ctx, 'tablePrimary')!.children);
    for (const join of nodes(ctx, 'joinClause')) left = this.joinClause(join.children, left);
    return left;
  }

  joinClause(ctx: Ctx, left: A.TableRef): A.JoinRef {
    const joinType = (tok(ctx, 'joinType')?.image.toUpperCase() ?? 'INNER') as A.JoinRef['joinType'];
    const right = this.tablePrimary(node(ctx, 'tablePrimary')!.children);
    const on = node(ctx, 'expression');
    const using = this.identifiers(node(ctx, 'identifierList'));
    const within = node(ctx, 'joinWithin');
    return {
      kind: 'JoinRef',
      joinType,
      left,
      right,
      ...(within === undefined ? {} : { within: this.joinWithin(within.children) }),
      ...(on === undefined ? {} : { on: this.expr(on) }),
      ...(using === undefined ? {} : { using }),
      span: joinSpans(left.span, ctxSpan(ctx)),
    };
  }

  joinWithin(ctx: Ctx): A.KsqlWithin {
    const size = node(ctx, 'size');
    const before = this.joinWindowSize((size ?? node(ctx, 'before')!).children);
    const after = size ? before : this.joinWindowSize(node(ctx, 'after')!.children);
    const grace = node(ctx, 'grace');
    return {
      kind: 'KsqlWithin',
      beforeMs: before,
      afterMs: after,
      ...(grace === undefined ? {} : { graceMs: this.joinWindowSize(grace.children) }),
      span: ctxSpan(ctx),
    };
  }

  /** `n unit` of a join window, in ms; ksqlDB's units only, a whole number. */
  joinWindowSize(ctx: Ctx): number {
    const number = tok(ctx, 'NumberLiteral')!;
    const unit = tok(ctx, 'TimeUnitToken')!;
    const ms = UNIT_MS[timeUnitOf(unit.image)];
    if (ms === undefined) {
      this.error(ErrorCode.INVALID_LITERAL, `'${unit.image}' is not a unit of a join window: use DAYS, HOURS, MINUTES, SECONDS or MILLISECONDS`, tokenSpan(unit));
      return 0;
    }
    if (!/^\d+$/.test(number.image)) {
      this.error(ErrorCode.INVALID_LITERAL, `A join window size is a whole number of ${unit.image.toUpperCase()}, not ${number.image}`, tokenSpan(number));
      return 0;
    }
    return Number(number.image) * ms;
  }

  tablePrimary(ctx: Ctx): A.TableRef {
    const span = ctxSpan(ctx);
    const aliasNode = node(ctx, 'alias');
    const columnAliases = this.identifiers(node(ctx, 'columnAliases'));
    const aliases = {
      ...(aliasNode === undefined ? {} : { alias: this.alias(aliasNode.children) }),
      ...(columnAliases === undefined ? {} : { columnAliases }),
    };
    const lateral = tok(ctx, 'Lateral') !== undefined;
    const fn = node(ctx, 'tableFunction');
    if (fn !== undefined) return { ...this.tableFunction(fn.children), ...aliases, lateral, span };
    const q = node(ctx, 'query');
    if (q !== undefined) return { kind: 'SubqueryRef', query: this.queryOf(q), ...aliases, lateral, span };
    const asOf = node(ctx, 'asOf');
    const hint = this.optionsHint(tok(ctx, 'hint'));
    return {
      kind: 'TableName',
      name: this.qualifiedName$(node(ctx, 'qualifiedName')),
      ...(hint === undefined ? {} : { hint }),
      ...aliases,
      ...(asOf === undefined ? {} : { forSystemTimeAsOf: this.expr(asOf) }),
      span,
    };
  }

  tableFunction(ctx: Ctx): { kind: 'TableFunctionRef'; name: A.QualifiedName; args: A.TableFunctionArg[] } {
    return {
      kind: 'TableFunctionRef',
      name: this.functionName(this.qualifiedName$(node(ctx, 'qualifiedName')).parts.slice()),
      args: nodes(ctx, 'tableFunctionArg').map((n) => this.tableFunctionArg(n.children)),
    };
  }

  tableFunctionArg(ctx: Ctx): A.TableFunctionArg {
    const span = ctxSpan(ctx);
    const argName = tok(ctx, 'argName');
    const name = argName === undefined ? {} : { name: this.identifier(argName) };
    const table = tok(ctx, 'Table');
    const descriptor = tok(ctx, 'Descriptor');
    let value: A.TableArg | A.DescriptorArg | A.Expr;
    if (table !== undefined) {
      const qn = this.qualifiedName$(node(ctx, 'qualifiedName'));
      const by = node(ctx, 'partitionBy');
      const partitionBy = by === undefined ? [] : by.name === 'expressionList' ? this.expressionList(by.children) : [this.expr(by)];
      const end = by === undefined ? qn.span : ctxSpan(ctx);
      value = { kind: 'TableArg', table: qn, partitionBy, span: joinSpans(tokenSpan(table), end) };
    } else if (descriptor !== undefined) {
      const list = node(ctx, 'identifierList')!;
      value = { kind: 'DescriptorArg', columns: this.identifierList(list.children), span: joinSpans(tokenSpan(descriptor), nodeSpan(list)) };
    } else {
      value = this.expr(node(ctx, 'expression'));
    }
    return { kind: 'TableFunctionArg', ...name, value, span };
  }

  identifierList(ctx: Ctx): A.Identifier[] {
    return toks(ctx, 'Identifier').map((t: IToken) => this.identifier(t));
  }

  qualifiedName(ctx: Ctx): A.QualifiedName {
    return this.qualified(toks(ctx, 'Identifier').map((t) => this.identifier(t)));
  }
}
