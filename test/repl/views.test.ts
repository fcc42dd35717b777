/**
 * Components rendered with ink's testing library: the input editor (prompt, continuation lines, cursor,
 * candidates, history search) and the status line.
 */
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { EditorView } from '../../repl/views/editor-view.js';
import { StatusLine } from '../../repl/views/status-line.js';
import { ColorContext } from '../../repl/views/theme.js';
import type { Progress } from '../../src/index.js';

afterEach(() => cleanup());

const plain = (el: ReturnType<typeof createElement>) => createElement(ColorContext.Provider, { value: false }, el);

describe('EditorView', () => {
  it('shows the prompt, continuation lines and candidates', () => {
    const { lastFrame } = render(plain(createElement(EditorView, { editor: { text: 'SELECT a,\n  b', cursor: 13 }, candidates: ['bar', 'baz'] })));
    // The cursor (a space after `b`, drawn inverted) is trailing space, which ink trims.
    expect(lastFrame()).toBe(['eddy> SELECT a,', '   ->   b', 'bar  baz'].join('\n'));
  });

  it('lists many candidates on at most three lines with a count of the rest', () => {
    const candidates = Array.from({ length: 60 }, (_, i) => `column_${i}`);
    const { lastFrame } = render(plain(createElement(EditorView, { editor: { text: 'x', cursor: 1 }, candidates, width: 40 })));
    const lines = lastFrame()!.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/… \d+ more$/);
  });

  it('shows the reverse history search and its match instead of the input', () => {
    const search = { query: 'rid', match: { index: 0, entry: 'SELECT *\nFROM rides;' } };
    const { lastFrame } = render(plain(createElement(EditorView, { editor: { text: '', cursor: 0 }, search })));
    expect(lastFrame()).toBe("(reverse-i-search)'rid': SELECT * FROM rides;");
    const none = render(plain(createElement(EditorView, { editor: { text: '', cursor: 0 }, search: { query: 'zz' } })));
    expect(none.lastFrame()).toBe("(reverse-i-search)'zz':\nno match");
  });
});

describe('StatusLine', () => {
  const progress = (late: number, bad: number, watermark: number, badRowsByKind: Record<string, number> = {}): Progress => ({
    summary: { rowsIn: 12_345, rowsOut: 67, lateRowsDropped: late, badRowsSkipped: bad, badRowsDeadLettered: 0, badRowsByKind },
    watermark,
    checkpoints: 0,
    stateEntries: 4_321,
  });

  it('shows rates with a sparkline, the watermark and its lag, late and bad rows', () => {
    const wm = Date.UTC(2024, 2, 4, 8, 30, 0);
    const status = { progress: progress(3, 2, wm), inRate: 1500, outRate: 2.5, inHistory: [0, 750, 1500], elapsedMs: 65_000, lagMs: 90_000 };
    const { lastFrame } = render(plain(createElement(StatusLine, { status, keys: 'PgUp PgDn scroll' })));
    const [line, line2, keys] = lastFrame()!.split('\n');
    expect(line).toBe('● running 1 min 5 s │ in 1,500/s ▁▅█ │ out 2.5/s │ late 3 │ bad 2');
    expect(line2).toBe('  watermark 2024-03-04 08:30:00.000 (1 min 30 s behind) │ 12,345 rows in, 67 out │ state 4,321');
    expect(keys).toBe('Ctrl-C cancel · PgUp PgDn scroll');
  });

  it('breaks bad rows down by kind', () => {
    const status = { progress: progress(0, 3, 0, { 'wrong-type': 1, 'invalid-json': 2 }), inRate: 0, outRate: 0, inHistory: [], elapsedMs: 1000 };
    const { lastFrame } = render(plain(createElement(StatusLine, { status })));
    expect(lastFrame()!.split('\n')[0]).toMatch(/│ bad 3 \(invalid-json 2, wrong-type 1\)$/);
  });

  it('says when there is no watermark yet and when the query is being cancelled', () => {
    const status = { progress: progress(0, 0, Number.NEGATIVE_INFINITY), inRate: 0, outRate: 0, inHistory: [], elapsedMs: 500 };
    const { lastFrame } = render(plain(createElement(StatusLine, { status, cancelling: true })));
    expect(lastFrame()).toContain('◌ cancelling 500 ms');
    expect(lastFrame()).toContain('watermark none yet │');
    expect(lastFrame()).toContain('in 0/s  │'); // no samples yet: an empty sparkline
  });
});
