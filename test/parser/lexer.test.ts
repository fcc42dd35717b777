import { describe, expect, it } from 'vitest';
import { KEYWORDS, RESERVED_KEYWORDS, sqlLexer } from '../../src/parser/lexer.js';

describe('lexer', () => {
  it('reads keywords case-insensitively and keeps names as written', () => {
    const { tokens, errors } = sqlLexer.tokenize('select Foo fRoM `my tbl`');
    expect(errors).toEqual([]);
    expect(tokens.map((t) => t.tokenType.name)).toEqual(['Select', 'Identifier', 'From', 'QuotedIdentifier']);
    expect(tokens[1]!.image).toBe('Foo');
  });

  it('does not split identifiers that start with a keyword', () => {
    const { tokens } = sqlLexer.tokenize('selection fromage TIMESTAMP_LTZ timestamps');
    expect(tokens.map((t) => t.tokenType.name)).toEqual(['Identifier', 'Identifier', 'TimestampLtzKw', 'Identifier']);
  });

  it('skips both kinds of comments', () => {
    const { tokens } = sqlLexer.tokenize('SELECT -- a comment\n 1 /* block\n comment */ + 2');
    expect(tokens.map((t) => t.image)).toEqual(['SELECT', '1', '+', '2']);
  });

  it('lexes numbers, strings with doubled quotes and operators', () => {
    const { tokens } = sqlLexer.tokenize("1 1.5 .5 1e3 'it''s' <> != <= >= || =>");
    expect(tokens.map((t) => t.tokenType.name)).toEqual([
      'NumberLiteral', 'NumberLiteral', 'NumberLiteral', 'NumberLiteral', 'StringLiteral',
      'NotEquals', 'NotEquals', 'LessEquals', 'GreaterEquals', 'Concat', 'Arrow',
    ]);
  });

  it('exports a keyword list for completion', () => {
    expect(KEYWORDS).toContain('SELECT');
    expect(KEYWORDS).toContain('WATERMARK');
    expect(KEYWORDS).toContain('MINUTES');
    expect(new Set(KEYWORDS).size).toBe(KEYWORDS.length);
    expect(RESERVED_KEYWORDS.has('FROM')).toBe(true);
    expect(RESERVED_KEYWORDS.has('VALUE')).toBe(false);
  });
});
