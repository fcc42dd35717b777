/** Syntax highlighting of input and the EXPLAIN tree. */
import { describe, expect, it } from 'vitest';
import { editorLines, highlight } from '../../repl/highlight.js';
import { explainLines } from '../../repl/explain-tree.js';

describe('highlight', () => {
  it('marks keywords, functions, strings, numbers, comments and quoted names', () => {
    const kinds = highlight("SELECT COUNT(*), 'a''b', 1.5, `user` -- c").filter((s) => s.kind !== 'space').map((s) => `${s.kind}:${s.text}`);
    expect(kinds).toEqual(['keyword:SELECT', 'function:COUNT', 'punct:(', 'punct:*', 'punct:)', 'punct:,', "string:'a''b'", 'punct:,', 'number:1.5', 'punct:,', 'quoted:`user`', 'comment:-- c']);
  });

  it('colours an unfinished string or comment to the end', () => {
    expect(highlight("SELECT 'abc").map((s) => s.kind)).toEqual(['keyword', 'space', 'string']);
    expect(highlight('a /* b\nc').map((s) => s.kind)).toEqual(['name', 'space', 'comment']);
  });

  it('splits the input into display lines with the cursor character marked', () => {
    const lines = editorLines('SELECT a\nFROM t', 9);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.find((s) => s.cursor)).toEqual({ text: 'F', kind: 'keyword', cursor: true });
    const end = editorLines('ab', 2);
    expect(end[0]!.at(-1)).toEqual({ text: ' ', kind: 'space', cursor: true });
    const eol = editorLines('ab\ncd', 2); // cursor on the line break: a space at the end of line 1
    expect(eol[0]!.at(-1)).toEqual({ text: ' ', kind: 'space', cursor: true });
    expect(eol[1]!.map((s) => s.text).join('')).toBe('cd');
  });
});

describe('explainLines', () => {
  it('draws the plan with tree branches and separates operator names', () => {
    const text = ['== Optimized Physical Plan ==', 'Collect(fields=[a])', '+- Union(all=[true])', '   :- Calc(select=[a])', '   :  +- TableSourceScan(table=[t])', '   +- TableSourceScan(table=[u])', ''].join('\n');
    const lines = explainLines(text, true);
    expect(lines.map((l) => l.branch + l.operator + l.detail)).toEqual([
      'Optimized Physical Plan',
      'Collect(fields=[a])',
      '└─ Union(all=[true])',
      '   ├─ Calc(select=[a])',
      '   │  └─ TableSourceScan(table=[t])',
      '   └─ TableSourceScan(table=[u])',
    ]);
    expect(lines[0]!.title).toBe(true);
    expect(lines[4]!.operator).toBe('TableSourceScan');
    expect(explainLines(text, false)[4]!.branch).toBe('   :  +- ');
  });
});
