/** The input editor's buffer operations (pure functions, no terminal). */
import { describe, expect, it } from 'vitest';
import * as ed from '../../repl/editor.js';

const at = (text: string, cursor: number): ed.EditorState => ({ text, cursor });

describe('editor buffer', () => {
  it('inserts at the cursor and deletes around it', () => {
    let s = ed.insertText(at('SELCT', 3), 'E');
    expect(s).toEqual(at('SELECT', 4));
    s = ed.backspace(s);
    expect(s).toEqual(at('SELCT', 3));
    expect(ed.deleteForward(s)).toEqual(at('SELT', 3));
    expect(ed.backspace(at('x', 0))).toEqual(at('x', 0));
    expect(ed.deleteForward(at('x', 1))).toEqual(at('x', 1));
  });

  it('moves by character within bounds', () => {
    expect(ed.moveLeft(at('ab', 0)).cursor).toBe(0);
    expect(ed.moveRight(at('ab', 2)).cursor).toBe(2);
    expect(ed.moveRight(at('ab', 1)).cursor).toBe(2);
  });

  it('jumps and deletes by word like readline', () => {
    const text = 'SELECT taxi_id, COUNT(*)';
    // From the end: back over "*)" and "(" to the start of COUNT (offset 16).
    expect(ed.wordLeft(at(text, text.length)).cursor).toBe(16);
    expect(ed.wordLeft(at(text, 16)).cursor).toBe(7); // taxi_id: underscore is part of a word
    expect(ed.wordRight(at(text, 0)).cursor).toBe(6);
    expect(ed.wordRight(at(text, 6)).cursor).toBe(14);
    expect(ed.deleteWordBack(at(text, 14))).toEqual(at('SELECT , COUNT(*)', 7));
    expect(ed.deleteWordForward(at(text, 6))).toEqual(at('SELECT, COUNT(*)', 6));
  });

  it('goes to line start and end on the current line of multi-line input', () => {
    const text = 'SELECT a\nFROM t\nWHERE x';
    expect(ed.lineStart(at(text, 12)).cursor).toBe(9);
    expect(ed.lineEnd(at(text, 12)).cursor).toBe(15);
    expect(ed.killToLineEnd(at(text, 13))).toEqual(at('SELECT a\nFROM\nWHERE x', 13));
    expect(ed.killToLineEnd(at('ab\ncd', 2))).toEqual(at('abcd', 2)); // at the end: joins the next line
    expect(ed.killToLineStart(at(text, 13))).toEqual(at('SELECT a\n t\nWHERE x', 9));
  });

  it('moves up and down keeping the column, and says when it is on the first or last line', () => {
    const text = 'SELECT a\nFROM t\nWHERE x > 1';
    expect(ed.moveUp(at(text, 3))).toBeUndefined();
    expect(ed.moveDown(at(text, 20))).toBeUndefined();
    expect(ed.moveDown(at(text, 3))!.cursor).toBe(12); // column 3 of "FROM t"
    expect(ed.moveDown(at(text, 7))!.cursor).toBe(15); // "FROM t" is shorter: its end
    expect(ed.moveUp(at(text, 25))!.cursor).toBe(15);
    expect(ed.cursorPosition(at(text, 12))).toEqual({ line: 1, column: 3 });
  });

  it('replaces a range for completion', () => {
    expect(ed.replaceRange(at('SELECT pas FROM t', 10), 7, 10, 'passenger_cnt')).toEqual(at('SELECT passenger_cnt FROM t', 20));
  });
});
