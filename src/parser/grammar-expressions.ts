/** The expression and data-type half of the grammar (a pure chevrotain CstParser; no embedded actions). */
import { CstParser, tokenMatcher, type CstNode, type ParserMethod } from 'chevrotain';
import * as L from './lexer.js';

/**
 * Rules for expressions and data types. Queries (needed by subqueries) are declared here and defined by the
 * subclass {@link EddyParser} in grammar.ts, which also runs the self-analysis.
 */
export abstract class ExpressionParser extends CstParser {
  declare query: ParserMethod<[], CstNode>;
  declare orderItem: ParserMethod<[], CstNode>;

  /**
   * Grammar validation (ambiguity and left-recursion checks) costs about half of the parser's start-up
   * time, so it runs only when EDDY_VALIDATE_GRAMMAR is set — test/parser/grammar-validation.test.ts does.
   */
  constructor() {
    super(L.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      maxLookahead: 3,
      skipValidations: process.env['EDDY_VALIDATE_GRAMMAR'] === undefined,
    });
  }

  /**
   * True when the next token starts a query rather than an expression. `(` is ambiguous (both a nested query
   * and a parenthesized expression start with it); it is read as an expression, which may hold a subquery.
   */
  protected startsQuery(): boolean {
    const t = this.LA(1).tokenType;
    return t === L.Select || t === L.With || t === L.Values;
  }

  /** `expr` — the loosest level: OR. */
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(L.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(L.And);
      this.SUBRULE2(this.notExpr);
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Not);
          this.SUBRULE(this.notExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]);
  });

  /** A value followed by any number of comparisons and predicates (IS, BETWEEN, IN, LIKE, SIMILAR TO). */
  predicate = this.RULE('predicate', () => {
    this.SUBRULE(this.additive);
    this.MANY(() => this.SUBRULE(this.predicateTail));
  });

  predicateTail = this.RULE('predicateTail', () => {
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.comparisonOp);
          this.SUBRULE(this.additive);
        },
      },
      {
        ALT: () => {
          this.CONSUME(L.Is);
          this.OPTION(() => this.CONSUME(L.Not));
          this.OR2([
            { ALT: () => this.CONSUME(L.Null) },
            { ALT: () => this.CONSUME(L.True) },
            { ALT: () => this.CONSUME(L.False) },
            { ALT: () => this.CONSUME(L.Unknown) },
            {
              ALT: () => {
                this.CONSUME(L.Distinct);
                this.CONSUME(L.From);
                this.SUBRULE2(this.additive, { LABEL: 'distinctFrom' });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => this.CONSUME2(L.Not));
          this.OR3([
            {
              ALT: () => {
                this.CONSUME(L.Between);
                this.OPTION3(() => this.OR4([{ ALT: () => this.CONSUME(L.Symmetric) }, { ALT: () => this.CONSUME(L.Asymmetric) }]));
                this.SUBRULE3(this.additive, { LABEL: 'low' });
                this.CONSUME(L.And);
                this.SUBRULE4(this.additive, { LABEL: 'high' });
              },
            },
            {
              ALT: () => {
                this.CONSUME(L.In);
                this.CONSUME(L.LParen);
                this.OR5({
                  IGNORE_AMBIGUITIES: true,
                  DEF: [
                    { GATE: () => this.startsQuery(), ALT: () => this.SUBRULE(this.query) },
                    { ALT: () => this.SUBRULE(this.expressionList) },
                  ],
                });
                this.CONSUME(L.RParen);
              },
            },
            {
              ALT: () => {
                this.OR6([
                  { ALT: () => this.CONSUME(L.Like) },
                  {
                    ALT: () => {
                      this.CONSUME(L.Similar);
                      this.CONSUME(L.To);
                    },
                  },
                ]);
                this.SUBRULE5(this.additive, { LABEL: 'pattern' });
                this.OPTION4(() => {
                  this.CONSUME(L.Escape);
                  this.SUBRULE6(this.additive, { LABEL: 'escape' });
                });
              },
            },
          ]);
        },
      },
    ]);
  });

  comparisonOp = this.RULE('comparisonOp', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Equals) },
      { ALT: () => this.CONSUME(L.NotEquals) },
      { ALT: () => this.CONSUME(L.Less) },
      { ALT: () => this.CONSUME(L.LessEquals) },
      { ALT: () => this.CONSUME(L.Greater) },
      { ALT: () => this.CONSUME(L.GreaterEquals) },
    ]);
  });

  /** `+`, `-` and `||`, left-associative. */
  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(L.Plus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(L.Minus, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(L.Concat, { LABEL: 'op' }) },
      ]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(L.Star, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(L.Slash, { LABEL: 'op' }) },
        { ALT: () => this.CONSUME(L.Percent, { LABEL: 'op' }) },
      ]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(L.Minus, { LABEL: 'op' }) },
            { ALT: () => this.CONSUME(L.Plus, { LABEL: 'op' }) },
          ]);
          this.SUBRULE(this.unary);
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  /** Literals, special forms, parenthesized expressions and subqueries, names and function calls. */
  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.NumberLiteral) },
      { ALT: () => this.CONSUME(L.StringLiteral) },
      { ALT: () => this.CONSUME(L.True) },
      { ALT: () => this.CONSUME(L.False) },
      { ALT: () => this.CONSUME(L.Null) },
      { ALT: () => this.CONSUME(L.Question) },
      { ALT: () => this.CONSUME(L.DollarParameter) },
      { ALT: () => this.SUBRULE(this.typedLiteral) },
      { ALT: () => this.SUBRULE(this.intervalLiteral) },
      { ALT: () => this.SUBRULE(this.caseExpr) },
      { ALT: () => this.SUBRULE(this.castExpr) },
      { ALT: () => this.SUBRULE(this.extractExpr) },
      { ALT: () => this.SUBRULE(this.trimExpr) },
      { ALT: () => this.SUBRULE(this.substringExpr) },
      { ALT: () => this.SUBRULE(this.positionExpr) },
      { ALT: () => this.SUBRULE(this.floorCeilExpr) },
      { ALT: () => this.SUBRULE(this.existsExpr) },
      { ALT: () => this.SUBRULE(this.niladic) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.keywordCall) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]);
  });

  typedLiteral = this.RULE('typedLiteral', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Timestamp, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(L.TimestampLtz, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(L.DateKw, { LABEL: 'type' }) },
      { ALT: () => this.CONSUME(L.Time, { LABEL: 'type' }) },
    ]);
    this.CONSUME(L.StringLiteral);
  });

  intervalLiteral = this.RULE('intervalLiteral', () => {
    this.CONSUME(L.Interval);
    this.OPTION(() => this.CONSUME(L.Minus));
    this.CONSUME(L.StringLiteral);
    this.SUBRULE(this.timeUnit, { LABEL: 'from' });
    this.OPTION2(() => {
      this.CONSUME(L.To);
      this.SUBRULE2(this.timeUnit, { LABEL: 'to' });
    });
  });

  /** A time unit with an optional precision, e.g. `SECOND(3)`. */
  timeUnit = this.RULE('timeUnit', () => {
    this.CONSUME(L.TimeUnitToken);
    this.OPTION(() => {
      this.CONSUME(L.LParen);
      this.CONSUME(L.NumberLiteral);
      this.CONSUME(L.RParen);
    });
  });

  caseExpr = this.RULE('caseExpr', () => {
    this.CONSUME(L.Case);
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'operand' }));
    this.AT_LEAST_ONE(() => {
      this.CONSUME(L.When);
      this.SUBRULE2(this.expression, { LABEL: 'when' });
      this.CONSUME(L.Then);
      this.SUBRULE3(this.expression, { LABEL: 'then' });
    });
    this.OPTION2(() => {
      this.CONSUME(L.Else);
      this.SUBRULE4(this.expression, { LABEL: 'else' });
    });
    this.CONSUME(L.End);
  });

  castExpr = this.RULE('castExpr', () => {
    this.OR([{ ALT: () => this.CONSUME(L.Cast) }, { ALT: () => this.CONSUME(L.TryCast) }]);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(L.As);
    this.SUBRULE(this.dataType);
    this.CONSUME(L.RParen);
  });

  extractExpr = this.RULE('extractExpr', () => {
    this.CONSUME(L.Extract);
    this.CONSUME(L.LParen);
    this.CONSUME(L.TimeUnitToken);
    this.CONSUME(L.From);
    this.SUBRULE(this.expression);
    this.CONSUME(L.RParen);
  });

  /** `TRIM([BOTH|LEADING|TRAILING] [chars] [FROM] s)`. */
  trimExpr = this.RULE('trimExpr', () => {
    this.CONSUME(L.Trim);
    this.CONSUME(L.LParen);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(L.Both, { LABEL: 'mode' }) },
        { ALT: () => this.CONSUME(L.Leading, { LABEL: 'mode' }) },
        { ALT: () => this.CONSUME(L.Trailing, { LABEL: 'mode' }) },
      ]),
    );
    this.OPTION2(() => this.SUBRULE(this.expression, { LABEL: 'first' }));
    this.OPTION3(() => {
      this.CONSUME(L.From);
      this.SUBRULE2(this.expression, { LABEL: 'second' });
    });
    this.CONSUME(L.RParen);
  });

  /** `SUBSTRING(s FROM a [FOR b])` or `SUBSTRING(s, a [, b])`. */
  substringExpr = this.RULE('substringExpr', () => {
    this.CONSUME(L.Substring);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.expression);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.From);
          this.SUBRULE2(this.expression);
          this.OPTION(() => {
            this.CONSUME(L.For);
            this.SUBRULE3(this.expression);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(L.Comma);
          this.SUBRULE4(this.expression);
          this.OPTION2(() => {
            this.CONSUME2(L.Comma);
            this.SUBRULE5(this.expression);
          });
        },
      },
    ]);
    this.CONSUME(L.RParen);
  });

  /** `POSITION(a IN b)`: the needle is parsed below the comparison level so `IN` is not an IN-list. */
  positionExpr = this.RULE('positionExpr', () => {
    this.CONSUME(L.Position);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.additive);
    this.CONSUME(L.In);
    this.SUBRULE(this.expression);
    this.CONSUME(L.RParen);
  });

  /** `FLOOR(x)`, `FLOOR(x TO unit)`, `CEIL(..)`. */
  floorCeilExpr = this.RULE('floorCeilExpr', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Floor, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.Ceil, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.Ceiling, { LABEL: 'fn' }) },
    ]);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.expression);
    this.OPTION(() => {
      this.CONSUME(L.To);
      this.CONSUME(L.TimeUnitToken);
    });
    this.CONSUME(L.RParen);
  });

  existsExpr = this.RULE('existsExpr', () => {
    this.CONSUME(L.Exists);
    this.CONSUME(L.LParen);
    this.SUBRULE(this.query);
    this.CONSUME(L.RParen);
  });

  niladic = this.RULE('niladic', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.CurrentTimestamp, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.CurrentDate, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.CurrentTime, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.Localtimestamp, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.Localtime, { LABEL: 'fn' }) },
    ]);
  });

  /** `(expr)` or `(query)` as a scalar subquery. */
  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(L.LParen);
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.startsQuery(), ALT: () => this.SUBRULE(this.query) },
        { ALT: () => this.SUBRULE(this.expression) },
      ],
    });
    this.CONSUME(L.RParen);
  });

  /** Calls of functions whose names are reserved words: `LEFT(s, n)`, `RIGHT(s, n)`. */
  keywordCall = this.RULE('keywordCall', () => {
    this.OR([
      { ALT: () => this.CONSUME(L.Left, { LABEL: 'fn' }) },
      { ALT: () => this.CONSUME(L.Right, { LABEL: 'fn' }) },
    ]);
    this.SUBRULE(this.callArgs);
  });

  /** `a`, `t.a`, `t.*`, `f(args) [FILTER (WHERE c)] [OVER ...]`. */
  nameOrCall = this.RULE('nameOrCall', () => {
    this.CONSUME(L.Identifier);
    this.MANY(() => {
      this.CONSUME(L.Dot);
      this.OR([{ ALT: () => this.CONSUME2(L.Identifier) }, { ALT: () => this.CONSUME(L.Star) }]);
    });
    this.OPTION(() => {
      this.SUBRULE(this.callArgs);
      this.OPTION2(() => {
        this.CONSUME(L.Filter);
        this.CONSUME(L.LParen);
        this.CONSUME(L.Where);
        this.SUBRULE(this.expression, { LABEL: 'filter' });
        this.CONSUME(L.RParen);
      });
      this.OPTION3(() => this.SUBRULE(this.overClause));
    });
  });

  callArgs = this.RULE('callArgs', () => {
    this.CONSUME(L.LParen);
    this.OPTION(() =>
      this.OR([
        { ALT: () => this.CONSUME(L.Star) },
        {
          ALT: () => {
            this.OPTION2(() =>
              this.OR2([{ ALT: () => this.CONSUME(L.Distinct) }, { ALT: () => this.CONSUME(L.All) }]),
            );
            this.SUBRULE(this.expressionList);
          },
        },
      ]),
    );
    this.CONSUME(L.RParen);
  });

  expressionList = this.RULE('expressionList', () => {
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  overClause = this.RULE('overClause', () => {
    this.CONSUME(L.Over);
    this.OR([
      { ALT: () => this.CONSUME(L.Identifier, { LABEL: 'windowName' }) },
      {
        ALT: () => {
          this.CONSUME(L.LParen);
          this.SUBRULE(this.windowSpec);
          this.CONSUME(L.RParen);
        },
      },
    ]);
  });

  /** What `OVER (...)` and `WINDOW w AS (...)` hold between their parentheses. */
  windowSpec = this.RULE('windowSpec', () => {
    this.OPTION(() => {
      this.CONSUME(L.Partition);
      this.CONSUME(L.By);
      this.SUBRULE(this.expressionList, { LABEL: 'partitionBy' });
    });
    this.OPTION2(() => {
      this.CONSUME(L.Order);
      this.CONSUME2(L.By);
      this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.orderItem) });
    });
    this.OPTION3(() => this.SUBRULE(this.windowFrame));
  });

  windowFrame = this.RULE('windowFrame', () => {
    this.OR([{ ALT: () => this.CONSUME(L.Rows, { LABEL: 'units' }) }, { ALT: () => this.CONSUME(L.Range, { LABEL: 'units' }) }]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(L.Between);
          this.SUBRULE(this.frameBound);
          this.CONSUME(L.And);
          this.SUBRULE2(this.frameBound);
        },
      },
      { ALT: () => this.SUBRULE3(this.frameBound) },
    ]);
  });

  frameBound = this.RULE('frameBound', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(L.Unbounded);
          this.OR2([
            { ALT: () => this.CONSUME(L.Preceding, { LABEL: 'dir' }) },
            { ALT: () => this.CONSUME(L.Following, { LABEL: 'dir' }) },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(L.Current);
          this.CONSUME(L.Row);
        },
      },
      {
        ALT: () => {
          this.SUBRULE(this.additive);
          this.OR3([
            { ALT: () => this.CONSUME2(L.Preceding, { LABEL: 'dir' }) },
            { ALT: () => this.CONSUME2(L.Following, { LABEL: 'dir' }) },
          ]);
        },
      },
    ]);
  });

  /**
   * A data type. The name is any identifier (checked by the AST builder, which reports UNKNOWN_TYPE with a
   * suggestion), then `(p[, s])`, `<args>` for ARRAY/MAP/ROW, time-zone suffixes and NOT NULL.
   */
  dataType = this.RULE('dataType', () => {
    this.CONSUME(L.Identifier, { LABEL: 'typeName' });
    this.OPTION(() => this.CONSUME(L.Precision));
    this.OPTION2(() => {
      this.CONSUME(L.LParen);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(L.NumberLiteral, { LABEL: 'param' });
            this.OPTION3(() => {
              this.CONSUME(L.Comma);
              this.CONSUME2(L.NumberLiteral, { LABEL: 'param' });
            });
          },
        },
        { ALT: () => this.SUBRULE(this.typeArgs) },
      ]);
      this.CONSUME(L.RParen);
    });
    this.OPTION4(() => {
      this.CONSUME(L.Less);
      this.SUBRULE2(this.typeArgs);
      this.CONSUME(L.Greater);
    });
    this.OPTION5(() =>
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(L.With);
            this.CONSUME(L.Local);
            this.CONSUME(L.Time);
            this.CONSUME(L.Zone);
          },
        },
        {
          ALT: () => {
            this.CONSUME(L.Without);
            this.CONSUME2(L.Time);
            this.CONSUME2(L.Zone);
          },
        },
      ]),
    );
    this.OPTION6(() =>
      this.OR3([
        {
          ALT: () => {
            this.CONSUME(L.Not);
            this.CONSUME(L.Null);
          },
        },
        { ALT: () => this.CONSUME2(L.Null, { LABEL: 'nullable' }) },
      ]),
    );
  });

  typeArgs = this.RULE('typeArgs', () => {
    this.AT_LEAST_ONE_SEP({ SEP: L.Comma, DEF: () => this.SUBRULE(this.typeArg) });
  });

  /** One element of `<...>`: a type, or `name type` for ROW fields. */
  typeArg = this.RULE('typeArg', () => {
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(2), L.Identifier),
      DEF: () => this.CONSUME(L.Identifier, { LABEL: 'fieldName' }),
    });
    this.SUBRULE(this.dataType);
  });
}
