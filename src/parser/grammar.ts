/** The statement and query half of the grammar, and the one shared parser instance. */
import * as L from './lexer.js';
import { ExpressionParser } from './grammar-expressions.js';

/**
 * The Eddy SQL parser: a pure chevrotain CstParser (the CST is turned into the AST by ast-builder.ts).
 * Build it once ({@link sqlParser}) and reuse it: construction runs the grammar analysis.
 */
export class EddyParser extends ExpressionParser {
  constructor() {
    super();
    this.performSelfAnalysis();
  }

  /** One statement (the script splitter hands the parser one statement at a time). */
  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.dropStatement) },
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.statementSet) },
      { ALT: () => this.SUBRULE(this.query) },
      { ALT: () => this.SUBRULE(this.setStatement) },
      { ALT: () => this.SUBRULE(this.resetStatement) },
      { ALT: () => this.SUBRULE(this.showStatement) },
      { ALT: () => this.SUBRULE(this.describeStatement) },
      { ALT: () => this.SUBRULE(this.explainStatement) },
      { ALT: () => this.SUBRULE(this.stopJobStatement) },
      { ALT: () => this.SUBRULE(this.printStatement) },
      // ksqlDB's scripting statements (SHOW's LIST synonym is in showStatement).
      { ALT: () => this.SUBRULE(this.runScriptStatement) },
      { ALT: () => this.SUBRULE(this.defineStatement) },
      { ALT: () => this.SUBRULE(this.undefineStatement) },
      { ALT: () => this.SUBRULE(this.unsetStatement) },
      { ALT: () => this.SUBRULE(this.terminateStatement) },
    ]);
  });

  createStatement = this.RULE('createStatement', () => {
    this.CONSUME(L.Create);
    // ksqlDB's `CREATE OR REPLACE` and `CREATE SOURCE TABLE|STREAM`.
    this.OPTION2(() => {
      this.CONSUME(L.Or);
      this.CONSUME(L.Replace, { LABEL: 'orReplace' });
    });
    this.OPTION(() => this.CONSUME(L.Temporary));
    this.OPTION3(() => this.CONSUME(L.Source, { LABEL: 'source' }));
    this.OR([
      { ALT: () => this.SUBRULE(this.createTableBody) },
      { ALT: () => this.SUBRULE(this.createViewBody) },
    ]);
  });

  ifNotExists = this.RULE('ifNotExists', () => {
    this.CONSUME(L.If);
    this.CONSUME(L.Not);
    this.CONSUME(L.Exists);
  });

  /**
   * `TABLE|STREAM [IF NOT EXISTS] name (elements) [COMMENT ..] [PARTITIONED BY ..] [WITH (..)]`, or ksqlDB's
   * `... name [WITH (..)] [AS query]` (CREATE STREAM|TABLE AS SELECT; without AS, a source with no columns,
   * refused by the AST builder).
   */
  createTableBody = this.RULE('createTableBody', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Table, { LABEL: 'objectType' }) },
      { ALT: () => this.CONSUME(L.Stream, { LABEL: 'objectType' }) },
    ]);
    this.OPTION(() => this.SUBRULE(this.ifNotExists));
    this.SUBRULE(this.qualifiedName);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(L.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.tableElement) });
          this.CONSUME(L.RParen);
          this.OPTION2(() => {
            this.CONSUME(L.Comment);
            this.CONSUME(L.StringLiteral, { LABEL: 'comment' });
          });
          this.OPTION3(() => {
            this.CONSUME(L.Partitioned);
            this.CONSUME(L.By);
            this.SUBRULE(this.identifierList, { LABEL: 'partitionedBy' });
          });
          this.OPTION4(() => this.SUBRULE(this.withOptions));
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.withOptions);
          this.OPTION5(() => {
            this.CONSUME(L.As);
            this.SUBRULE(this.query);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(L.As);
          this.SUBRULE2(this.query);
        },
      },
    ]);
  });

  tableElement = this.RULE('tableElement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.watermarkDef) },
      { ALT: () => this.SUBRULE(this.primaryKeyConstraint) },
      { ALT: () => this.SUBRULE(this.columnDef) },
    ]);
  });

  watermarkDef = this.RULE('watermarkDef', () => {
    this.CONSUME(L.Watermark);
    this.CONSUME(L.For);
    this.CONSUME(L.Identifier);
    this.CONSUME(L.As);
    this.SUBRULE(this.expression);
  });

  primaryKeyConstraint = this.RULE('primaryKeyConstraint', () => {
    this.OPTION(() => {
      this.CONSUME(L.Constraint);
      this.CONSUME(L.Identifier, { LABEL: 'constraintName' });
    });
    this.CONSUME(L.Primary);
    this.CONSUME(L.Key);
    this.SUBRULE(this.identifierList);
    this.SUBRULE(this.notEnforced);
  });

  notEnforced = this.RULE('notEnforced', () => {
    this.CONSUME(L.Not);
    this.CONSUME(L.Enforced);
  });

  /**
   * `name TYPE [PRIMARY KEY NOT ENFORCED] [METADATA [FROM 'key'] [VIRTUAL]] [COMMENT '..']` or
   * `name AS expr [COMMENT '..']`.
   */
  columnDef = this.RULE('columnDef', () => {
    this.CONSUME(L.Identifier, { LABEL: 'name' });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.As);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.dataType);
          this.OPTION(() => {
            this.CONSUME(L.Primary);
            this.CONSUME(L.Key);
            // Without NOT ENFORCED: ksqlDB's table key.
            this.OPTION4(() => this.SUBRULE(this.notEnforced));
          });
          // ksqlDB's stream key column: `id INT KEY`.
          this.OPTION5(() => this.CONSUME2(L.Key, { LABEL: 'ksqlKey' }));
          this.OPTION3(() => this.SUBRULE(this.metadataClause));
        },
      },
    ]);
    this.OPTION2(() => {
      this.CONSUME(L.Comment);
      this.CONSUME(L.StringLiteral, { LABEL: 'comment' });
    });
  });

  /** `METADATA [FROM 'key'] [VIRTUAL]` after a column's type (Flink's metadata columns). */
  metadataClause = this.RULE('metadataClause', () => {
    this.CONSUME(L.Metadata);
    this.OPTION(() => {
      this.CONSUME(L.From);
      this.CONSUME(L.StringLiteral, { LABEL: 'key' });
    });
    this.OPTION2(() => this.CONSUME(L.Virtual));
  });

  /** `WITH ('k' = 'v', ...)`. */
  withOptions = this.RULE('withOptions', () => {
    this.CONSUME(L.With);
    this.CONSUME(L.LParen);
    this.MANY_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.tableOption) });
    this.CONSUME(L.RParen);
  });

  tableOption = this.RULE('tableOption', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.StringLiteral, { LABEL: 'key' }) },
      { ALT: () => this.SUBRULE(this.qualifiedName, { LABEL: 'keyName' }) },
    ]);
    this.CONSUME(L.Equals);
    this.OR2([
      { ALT: () => this.CONSUME2(L.StringLiteral, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(L.NumberLiteral, { LABEL: 'value' }) },
      // ksqlDB's boolean properties (WRAP_SINGLE_VALUE = false).
      { ALT: () => this.CONSUME(L.True, { LABEL: 'value' }) },
      { ALT: () => this.CONSUME(L.False, { LABEL: 'value' }) },
    ]);
  });

  /** `[MATERIALIZED] VIEW [IF NOT EXISTS] name [(col, ...)] AS query`. */
  createViewBody = this.RULE('createViewBody', () => {
    this.OPTION3(() => this.CONSUME(L.Materialized));
    this.CONSUME(L.View);
    this.OPTION(() => this.SUBRULE(this.ifNotExists));
    this.SUBRULE(this.qualifiedName);
    this.OPTION2(() => this.SUBRULE(this.identifierList));
    this.CONSUME(L.As);
    this.SUBRULE(this.query);
  });

  dropStatement = this.RULE('dropStatement', () => {
    this.CONSUME(L.Drop);
    this.OPTION(() => this.CONSUME(L.Temporary));
    this.OR([
      { ALT: () => this.CONSUME(L.Table, { LABEL: 'objectType' }) },
      { ALT: () => this.CONSUME(L.View, { LABEL: 'objectType' }) },
      { ALT: () => this.CONSUME(L.Stream, { LABEL: 'objectType' }) },
      {
        ALT: () => {
          this.CONSUME(L.Materialized);
          this.CONSUME2(L.View, { LABEL: 'objectType' });
        },
      },
    ]);
    this.OPTION2(() => {
      this.CONSUME(L.If);
      this.CONSUME(L.Exists);
    });
    this.SUBRULE(this.qualifiedName);
    this.OPTION3(() => this.OR2([{ ALT: () => this.CONSUME(L.Cascade) }, { ALT: () => this.CONSUME(L.Restrict) }]));
    // ksqlDB's `DROP STREAM|TABLE name DELETE TOPIC`.
    this.OPTION4(() => {
      this.CONSUME(L.Delete, { LABEL: 'deleteTopic' });
      this.CONSUME(L.Topic);
    });
  });

  insertStatement = this.RULE('insertStatement', () => {
    this.CONSUME(L.Insert);
    this.OR([{ ALT: () => this.CONSUME(L.Into) }, { ALT: () => this.CONSUME(L.Overwrite) }]);
    this.SUBRULE(this.qualifiedName);
    this.OPTION2(() => this.CONSUME(L.Hint, { LABEL: 'hint' }));
    this.OPTION(() => this.SUBRULE(this.identifierList));
    this.SUBRULE(this.query);
  });

  /** `EXECUTE STATEMENT SET BEGIN insert; ... END` or `BEGIN STATEMENT SET; insert; ... END`. */
  statementSet = this.RULE('statementSet', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Execute);
          this.CONSUME(L.Statement);
          this.CONSUME(L.SetKw);
          this.CONSUME(L.Begin);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(L.Begin);
          this.CONSUME2(L.Statement);
          this.CONSUME2(L.SetKw);
          this.CONSUME(L.Semicolon);
        },
      },
    ]);
    this.MANY(() => {
      this.SUBRULE(this.insertStatement);
      this.OPTION(() => this.CONSUME2(L.Semicolon));
    });
    this.CONSUME(L.End);
  });

  setStatement = this.RULE('setStatement', () => {
    this.CONSUME(L.SetKw);
    this.OPTION(() => {
      this.CONSUME(L.StringLiteral, { LABEL: 'key' });
      this.CONSUME(L.Equals);
      this.CONSUME2(L.StringLiteral, { LABEL: 'value' });
    });
  });

  resetStatement = this.RULE('resetStatement', () => {
    this.CONSUME(L.Reset);
    this.OPTION(() => this.CONSUME(L.StringLiteral, { LABEL: 'key' }));
  });

  /**
   * `SHOW TABLES | VIEWS | MATERIALIZED VIEWS | FUNCTIONS | JOBS | CATALOGS | DATABASES | CURRENT CATALOG |
   * CURRENT DATABASE`, `SHOW CREATE TABLE|VIEW name`, `SHOW COLUMNS FROM|IN name`, `SHOW [ALL] TOPICS [EXTENDED]`
   * (ksqlDB). Any other word after SHOW
   * is taken too (`unknown`), so the error can list the forms that exist.
   */
  showStatement = this.RULE('showStatement', () => {
    // LIST is ksqlDB's synonym of SHOW (the builder accepts it before ksqlDB's forms only).
    this.OR5([{ ALT: () => this.CONSUME(L.Show) }, { ALT: () => this.CONSUME(L.List, { LABEL: 'list' }) }]);
    this.OR({
      // The last alternative takes any name: the forms above it win.
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(L.Tables, { LABEL: 'what' });
            this.OPTION3(() => this.CONSUME2(L.Extended, { LABEL: 'extended' }));
          },
        },
        { ALT: () => this.CONSUME(L.Views, { LABEL: 'what' }) },
        {
          ALT: () => {
            this.CONSUME(L.Materialized);
            this.CONSUME2(L.Views, { LABEL: 'what' });
          },
        },
        { ALT: () => this.CONSUME(L.Functions, { LABEL: 'what' }) },
        { ALT: () => this.CONSUME(L.Jobs, { LABEL: 'what' }) },
        { ALT: () => this.CONSUME(L.Catalogs, { LABEL: 'what' }) },
        { ALT: () => this.CONSUME(L.Databases, { LABEL: 'what' }) },
        {
          ALT: () => {
            this.CONSUME(L.Current);
            this.OR2([{ ALT: () => this.CONSUME(L.Catalog, { LABEL: 'what' }) }, { ALT: () => this.CONSUME(L.Database, { LABEL: 'what' }) }]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.Create);
            this.OR3([{ ALT: () => this.CONSUME(L.Table, { LABEL: 'what' }) }, { ALT: () => this.CONSUME(L.View, { LABEL: 'what' }) }]);
            this.SUBRULE(this.qualifiedName);
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.Columns, { LABEL: 'what' });
            this.OR4([{ ALT: () => this.CONSUME(L.From) }, { ALT: () => this.CONSUME(L.In) }]);
            this.SUBRULE2(this.qualifiedName);
          },
        },
        {
          ALT: () => {
            this.OPTION(() => this.CONSUME(L.All, { LABEL: 'all' }));
            this.CONSUME(L.Topics, { LABEL: 'topics' });
            this.OPTION2(() => this.CONSUME(L.Extended, { LABEL: 'extended' }));
          },
        },
        // ksqlDB's SHOW|LIST STREAMS [EXTENDED], QUERIES [EXTENDED], PROPERTIES, VARIABLES.
        {
          ALT: () => {
            this.CONSUME(L.Streams, { LABEL: 'what' });
            this.OPTION4(() => this.CONSUME3(L.Extended, { LABEL: 'extended' }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.Queries, { LABEL: 'what' });
            this.OPTION5(() => this.CONSUME4(L.Extended, { LABEL: 'extended' }));
          },
        },
        { ALT: () => this.CONSUME(L.Properties, { LABEL: 'what' }) },
        { ALT: () => this.CONSUME(L.Variables, { LABEL: 'what' }) },
        // SHOW TABLE (reserved) is the likeliest slip; any other word is a name.
        { ALT: () => this.CONSUME2(L.Table, { LABEL: 'unknown' }) },
        { ALT: () => this.CONSUME(L.Identifier, { LABEL: 'unknown' }) },
      ],
    });
  });

  /** ksqlDB's `PRINT 'topic' | name [FROM BEGINNING] [INTERVAL | SAMPLE n] [LIMIT n]`. */
  printStatement = this.RULE('printStatement', () => {
    this.CONSUME(L.Print);
    this.OR([{ ALT: () => this.CONSUME(L.StringLiteral, { LABEL: 'topic' }) }, { ALT: () => this.CONSUME(L.Identifier, { LABEL: 'topic' }) }]);
    this.OPTION(() => {
      this.CONSUME(L.From);
      this.CONSUME(L.Beginning, { LABEL: 'beginning' });
    });
    this.OPTION2(() => {
      this.OR2([{ ALT: () => this.CONSUME(L.Interval) }, { ALT: () => this.CONSUME(L.Sample) }]);
      this.CONSUME(L.NumberLiteral, { LABEL: 'interval' });
    });
    this.OPTION3(() => {
      this.CONSUME(L.Limit);
      this.CONSUME2(L.NumberLiteral, { LABEL: 'limit' });
    });
  });

  /** `STOP JOB 'id' [WITH SAVEPOINT]` (Flink's SQL client). */
  stopJobStatement = this.RULE('stopJobStatement', () => {
    this.CONSUME(L.Stop);
    this.CONSUME(L.Job);
    this.CONSUME(L.StringLiteral, { LABEL: 'id' });
    this.OPTION(() => {
      this.CONSUME(L.With);
      this.CONSUME(L.Savepoint, { LABEL: 'savepoint' });
    });
  });

  /** `DESCRIBE name` (a table or view), or `DESCRIBE JOB 'id'`. */
  describeStatement = this.RULE('describeStatement', () => {
    this.OR([{ ALT: () => this.CONSUME(L.Describe) }, { ALT: () => this.CONSUME(L.Desc) }]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(L.Job);
          this.CONSUME(L.StringLiteral, { LABEL: 'jobId' });
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.qualifiedName);
          // ksqlDB's DESCRIBE name EXTENDED.
          this.OPTION(() => this.CONSUME(L.Extended, { LABEL: 'extended' }));
        },
      },
    ]);
  });

  /** ksqlDB's `RUN SCRIPT 'file.sql'`. */
  runScriptStatement = this.RULE('runScriptStatement', () => {
    this.CONSUME(L.Run);
    this.CONSUME(L.Script);
    this.CONSUME(L.StringLiteral, { LABEL: 'path' });
  });

  /** ksqlDB's `DEFINE name = 'value'`. */
  defineStatement = this.RULE('defineStatement', () => {
    this.CONSUME(L.Define);
    this.CONSUME(L.Identifier, { LABEL: 'name' });
    this.CONSUME(L.Equals);
    this.CONSUME(L.StringLiteral, { LABEL: 'value' });
  });

  /** ksqlDB's `UNDEFINE name`. */
  undefineStatement = this.RULE('undefineStatement', () => {
    this.CONSUME(L.Undefine);
    this.CONSUME(L.Identifier, { LABEL: 'name' });
  });

  /** ksqlDB's `UNSET 'key'`. */
  unsetStatement = this.RULE('unsetStatement', () => {
    this.CONSUME(L.Unset);
    this.CONSUME(L.StringLiteral, { LABEL: 'key' });
  });

  /** ksqlDB's `TERMINATE query_id | 'id' | ALL` (and `TERMINATE job-2`, an Eddy job id unquoted). */
  terminateStatement = this.RULE('terminateStatement', () => {
    this.CONSUME(L.Terminate);
    this.OR([
      { ALT: () => this.CONSUME(L.All, { LABEL: 'all' }) },
      { ALT: () => this.CONSUME(L.StringLiteral, { LABEL: 'id' }) },
      {
        ALT: () => {
          this.CONSUME(L.Identifier, { LABEL: 'id' });
          // Eddy's own job ids, unquoted: `TERMINATE job-2`.
          this.OPTION(() => {
            this.CONSUME(L.Minus);
            this.CONSUME(L.NumberLiteral, { LABEL: 'idNumber' });
          });
        },
      },
    ]);
  });

  explainStatement = this.RULE('explainStatement', () => {
    this.CONSUME(L.Explain);
    this.OPTION(() => {
      this.CONSUME(L.Plan);
      this.CONSUME(L.For);
    });
    this.OR([
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.statementSet) },
      { ALT: () => this.SUBRULE(this.query) },
    ]);
  });

  // ---------------------------------------------------------------------------------------------------
  // Queries

  /** `[WITH ctes] body [ORDER BY ..] [LIMIT n] [OFFSET n] [EMIT CHANGES|FINAL [LIMIT n]]`. */
  override query = this.RULE('query', () => {
    this.OPTION(() => {
      this.CONSUME(L.With);
      this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.commonTableExpr) });
    });
    this.SUBRULE(this.queryBody);
    this.OPTION2(() => {
      this.CONSUME(L.Order);
      this.CONSUME(L.By);
      this.AT_LEAST_ONE_SEP2({ SEP: L.Comma, DEF: () => this.SUBRULE(this.orderItem) });
    });
    this.OPTION3(() => {
      this.CONSUME(L.Limit);
      this.SUBRULE(this.expression, { LABEL: 'limit' });
    });
    this.OPTION4(() => {
      this.CONSUME(L.Offset);
      this.SUBRULE2(this.expression, { LABEL: 'offset' });
    });
    this.OPTION5(() => {
      this.CONSUME(L.Emit);
      this.OR([
        { ALT: () => this.CONSUME(L.Changes, { LABEL: 'emit' }) },
        { ALT: () => this.CONSUME(L.Final, { LABEL: 'emit' }) },
      ]);
      // ksqlDB writes the LIMIT of a push query after EMIT CHANGES.
      this.OPTION6(() => {
        this.CONSUME2(L.Limit);
        this.SUBRULE3(this.expression, { LABEL: 'emitLimit' });
      });
    });
  });

  commonTableExpr = this.RULE('commonTableExpr', () => {
    this.CONSUME(L.Identifier);
    this.OPTION(() => this.SUBRULE(this.identifierList));
    this.CONSUME(L.As);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.query);
    this.CONSUME(L.RParen);
  });

  /** Terms joined by UNION / INTERSECT / EXCEPT, left-associative. */
  queryBody = this.RULE('queryBody', () => {
    this.SUBRULE(this.queryTerm);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(L.Union, { LABEL: 'setOp' }) },
        { ALT: () => this.CONSUME(L.Intersect, { LABEL: 'setOp' }) },
        { ALT: () => this.CONSUME(L.Except, { LABEL: 'setOp' }) },
      ]);
      this.OPTION(() =>
        this.OR2([
          { ALT: () => this.CONSUME(L.All, { LABEL: 'quantifier' }) },
          { ALT: () => this.CONSUME(L.Distinct, { LABEL: 'quantifier' }) },
        ]),
      );
      this.SUBRULE2(this.queryTerm);
    });
  });

  queryTerm = this.RULE('queryTerm', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      { ALT: () => this.SUBRULE(this.values) },
      {
        ALT: () => {
          this.CONSUME(L.LParen);
          this.SUBRULE(this.query);
          this.CONSUME(L.RParen);
        },
      },
    ]);
  });

  select = this.RULE('select', () => {
    this.CONSUME(L.Select);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(L.Distinct, { LABEL: 'quantifier' }) },
        { ALT: () => this.CONSUME(L.All, { LABEL: 'quantifier' }) },
      ]),
    );
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.selectItem) });
    this.OPTION2(() => {
      this.CONSUME(L.From);
      this.SUBRULE(this.fromClause);
    });
    // ksqlDB's window clause stands between FROM and WHERE (Flink's named windows come last, after HAVING).
    this.OPTION7(() => this.SUBRULE(this.ksqlWindowClause));
    this.OPTION3(() => {
      this.CONSUME(L.Where);
      this.SUBRULE(this.expression, { LABEL: 'where' });
    });
    this.OPTION4(() => {
      this.CONSUME(L.Group);
      this.CONSUME(L.By);
      this.SUBRULE(this.expressionList, { LABEL: 'groupBy' });
    });
    // ksqlDB's `PARTITION BY expr, ...`: re-keys a stream.
    this.OPTION9(() => {
      this.CONSUME(L.Partition);
      this.CONSUME2(L.By);
      this.SUBRULE2(this.expressionList, { LABEL: 'partitionBy' });
    });
    this.OPTION5(() => {
      this.CONSUME(L.Having);
      this.SUBRULE2(this.expression, { LABEL: 'having' });
    });
    this.OPTION6(() => {
      this.CONSUME(L.Window);
      this.AT_LEAST_ONE_SEP2({ SEP: L.Comma, DEF: () => this.SUBRULE(this.namedWindow) });
    });
  });

  /**
   * ksqlDB's `WINDOW TUMBLING (SIZE n unit, ..)`, `WINDOW HOPPING (SIZE n unit, ADVANCE BY n unit, ..)`,
   * `WINDOW SESSION (n unit, ..)`, each with optional `RETENTION n unit` and `GRACE PERIOD n unit`. Which
   * properties a window type takes (and their values) is checked by the AST builder, with positions.
   */
  ksqlWindowClause = this.RULE('ksqlWindowClause', () => {
    this.CONSUME(L.Window);
    this.OR([
      { ALT: () => this.CONSUME(L.Tumbling, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(L.Hopping, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(L.Session, { LABEL: 'type' }) },
    ]);
    this.CONSUME(L.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.ksqlWindowProperty) });
    this.CONSUME(L.RParen);
  });

  /** One property of a ksqlDB window: `SIZE d`, `ADVANCE BY d`, `RETENTION d`, `GRACE PERIOD d`, or a bare `d` (SESSION's gap). */
  ksqlWindowProperty = this.RULE('ksqlWindowProperty', () => {
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(L.Size, { LABEL: 'name' }) },
        {
          ALT: () => {
            this.CONSUME(L.Advance, { LABEL: 'name' });
            this.CONSUME(L.By);
          },
        },
        { ALT: () => this.CONSUME(L.Retention, { LABEL: 'name' }) },
        {
          ALT: () => {
            this.CONSUME(L.Grace, { LABEL: 'name' });
            this.CONSUME(L.Period);
          },
        },
      ]),
    );
    this.SUBRULE(this.ksqlDuration);
  });

  /** `n unit` (ksqlDB's window durations); a sign is taken so that `-1` gets a positioned error, not a syntax error. */
  ksqlDuration = this.RULE('ksqlDuration', () => {
    this.OPTION(() => this.CONSUME(L.Minus, { LABEL: 'minus' }));
    this.CONSUME(L.NumberLiteral, { LABEL: 'amount' });
    this.CONSUME(L.TimeUnitToken, { LABEL: 'unit' });
  });

  /** `w AS (PARTITION BY .. ORDER BY .. [frame])` in a WINDOW clause. */
  namedWindow = this.RULE('namedWindow', () => {
    this.CONSUME(L.Identifier);
    this.CONSUME(L.As);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.windowSpec);
    this.CONSUME(L.RParen);
  });

  selectItem = this.RULE('selectItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Star) },
      {
        ALT: () => {
          this.SUBRULE(this.expression);
          this.OPTION(() => this.SUBRULE(this.alias));
        },
      },
    ]);
  });

  /** `[AS] name`. */
  alias = this.RULE('alias', () => {
    this.OPTION(() => this.CONSUME(L.As));
    this.CONSUME(L.Identifier);
  });

  values = this.RULE('values', () => {
    this.CONSUME(L.Values);
    this.AT_LEAST_ONE_SEP({
      SEP: L.Comma,
      DEF: () => {
        this.CONSUME(L.LParen);
        this.SUBRULE(this.expressionList);
        this.CONSUME(L.RParen);
      },
    });
  });

  override orderItem = this.RULE('orderItem', () => {
    this.SUBRULE(this.expression);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(L.Asc, { LABEL: 'direction' }) },
        { ALT: () => this.CONSUME(L.Desc, { LABEL: 'direction' }) },
      ]),
    );
    this.OPTION2(() => {
      this.CONSUME(L.Nulls);
      this.OR2([
        { ALT: () => this.CONSUME(L.First, { LABEL: 'nulls' }) },
        { ALT: () => this.CONSUME(L.Last, { LABEL: 'nulls' }) },
      ]);
    });
  });

  /** Comma-separated joined tables (a comma is a CROSS join binding looser than JOIN). */
  fromClause = this.RULE('fromClause', () => {
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.joinedTable) });
  });

  joinedTable = this.RULE('joinedTable', () => {
    this.SUBRULE(this.tablePrimary);
    this.MANY(() => this.SUBRULE(this.joinClause));
  });

  /** `CROSS JOIN t`, or `[INNER|LEFT|RIGHT|FULL [OUTER]] JOIN t ON cond | USING (cols)`. */
  joinClause = this.RULE('joinClause', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Cross, { LABEL: 'joinType' });
          this.CONSUME(L.Join);
          this.SUBRULE(this.tablePrimary);
        },
      },
      {
        ALT: () => {
          this.OPTION(() =>
            this.OR2([
              { ALT: () => this.CONSUME(L.Inner, { LABEL: 'joinType' }) },
              {
                ALT: () => {
                  this.OR3([
                    { ALT: () => this.CONSUME(L.Left, { LABEL: 'joinType' }) },
                    { ALT: () => this.CONSUME(L.Right, { LABEL: 'joinType' }) },
                    { ALT: () => this.CONSUME(L.Full, { LABEL: 'joinType' }) },
                  ]);
                  this.OPTION2(() => this.CONSUME(L.Outer));
                },
              },
            ]),
          );
          this.CONSUME2(L.Join);
          this.SUBRULE2(this.tablePrimary);
          this.OPTION3(() => this.SUBRULE(this.joinWithin));
          this.OR4([
            {
              ALT: () => {
                this.CONSUME(L.On);
                this.SUBRULE(this.expression);
              },
            },
            {
              ALT: () => {
                this.CONSUME(L.Using);
                this.SUBRULE(this.identifierList);
              },
            },
          ]);
        },
      },
    ]);
  });

  /** ksqlDB's join window: `WITHIN n unit | WITHIN (before unit, after unit) [GRACE PERIOD n unit]`. */
  joinWithin = this.RULE('joinWithin', () => {
    this.CONSUME(L.Within);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.LParen);
          this.SUBRULE(this.joinWindowSize, { LABEL: 'before' });
          this.CONSUME(L.Comma);
          this.SUBRULE2(this.joinWindowSize, { LABEL: 'after' });
          this.CONSUME(L.RParen);
        },
      },
      { ALT: () => this.SUBRULE3(this.joinWindowSize, { LABEL: 'size' }) },
    ]);
    this.OPTION(() => {
      this.CONSUME(L.Grace);
      this.CONSUME(L.Period);
      this.SUBRULE4(this.joinWindowSize, { LABEL: 'grace' });
    });
  });

  /** `n unit` of a ksqlDB join window (ksqlDB's units: DAY, HOUR, MINUTE, SECOND, MILLISECOND and plurals). */
  joinWindowSize = this.RULE('joinWindowSize', () => {
    this.CONSUME(L.NumberLiteral);
    this.CONSUME(L.TimeUnitToken);
  });

  tablePrimary = this.RULE('tablePrimary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Lateral);
          this.OR2([
            { ALT: () => this.SUBRULE(this.tableFunction) },
            {
              ALT: () => {
                this.CONSUME(L.LParen);
                this.SUBRULE(this.query);
                this.CONSUME(L.RParen);
              },
            },
          ]);
        },
      },
      { ALT: () => this.SUBRULE2(this.tableFunction) },
      {
        ALT: () => {
          this.CONSUME2(L.LParen);
          this.SUBRULE2(this.query);
          this.CONSUME2(L.RParen);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.qualifiedName);
          this.OPTION4(() => this.CONSUME(L.Hint, { LABEL: 'hint' }));
          this.OPTION(() => {
            this.CONSUME(L.For);
            this.CONSUME(L.SystemTime);
            this.CONSUME(L.As);
            this.CONSUME(L.Of);
            this.SUBRULE(this.expression, { LABEL: 'asOf' });
          });
        },
      },
    ]);
    this.OPTION2(() => {
      this.SUBRULE(this.alias);
      this.OPTION3(() => this.SUBRULE(this.identifierList, { LABEL: 'columnAliases' }));
    });
  });

  /** `TABLE(f(args))`. */
  tableFunction = this.RULE('tableFunction', () => {
    this.CONSUME(L.Table);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.qualifiedName);
    this.CONSUME2(L.LParen);
    this.MANY_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.tableFunctionArg) });
    this.CONSUME(L.RParen);
    this.CONSUME2(L.RParen);
  });

  tableFunctionArg = this.RULE('tableFunctionArg', () => {
    this.OPTION(() => {
      this.CONSUME(L.Identifier, { LABEL: 'argName' });
      this.CONSUME(L.Arrow);
    });
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Table);
          this.SUBRULE(this.qualifiedName);
          this.OPTION2(() => {
            this.CONSUME(L.Partition);
            this.CONSUME(L.By);
            this.OR2({
              IGNORE_AMBIGUITIES: true,
              DEF: [
                {
                  ALT: () => {
                    this.CONSUME(L.LParen);
                    this.SUBRULE(this.expressionList, { LABEL: 'partitionBy' });
                    this.CONSUME(L.RParen);
                  },
                },
                { ALT: () => this.SUBRULE(this.expression, { LABEL: 'partitionBy' }) },
              ],
            });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(L.Descriptor);
          this.SUBRULE(this.identifierList);
        },
      },
      { ALT: () => this.SUBRULE2(this.expression) },
    ]);
  });

  /** `(a, b, c)`. */
  identifierList = this.RULE('identifierList', () => {
    this.CONSUME(L.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.CONSUME(L.Identifier) });
    this.CONSUME(L.RParen);
  });

  qualifiedName = this.RULE('qualifiedName', () => {
    this.AT_LEAST_ONE_SEP({ SEP: L.Dot, DEF: () => this.CONSUME(L.Identifier) });
  });
}

/** The shared parser instance (chevrotain parsers are reusable: set `input`, call a rule). */
export const sqlParser = new EddyParser();
