/** The SQL front end's public API: parse scripts, statements and expressions into the AST, bind parameter values. */
export { parseScript, parseStatement, parseExpression } from './parse.js';
export { KEYWORDS, RESERVED_KEYWORDS } from './lexer.js';
export { withParameterValues, parametersOf, parameterName } from './parameter-values.js';
export type * from './ast.js';
