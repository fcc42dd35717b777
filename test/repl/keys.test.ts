/** Decoding terminal input into keys. */
import { describe, expect, it } from 'vitest';
import { decodeKeys } from '../../repl/keys.js';

describe('decodeKeys', () => {
  it('splits text runs at Enter, Tab, Backspace and control keys', () => {
    expect(decodeKeys('SELECT 1;\r')).toEqual([{ name: 'text', text: 'SELECT 1;' }, { name: 'enter' }]);
    expect(decodeKeys('a\tb\x7f\x03')).toEqual([
      { name: 'text', text: 'a' },
      { name: 'tab' },
      { name: 'text', text: 'b' },
      { name: 'backspace' },
      { name: 'letter', text: 'c', ctrl: true },
    ]);
    expect(decodeKeys('\x04')).toEqual([{ name: 'letter', text: 'd', ctrl: true }]);
    expect(decodeKeys('\x12')).toEqual([{ name: 'letter', text: 'r', ctrl: true }]);
  });

  it('decodes arrows, Home/End, Delete and paging keys', () => {
    expect(decodeKeys('\x1b[A')[0]!.name).toBe('up');
    expect(decodeKeys('\x1bOD')[0]!.name).toBe('left');
    expect(decodeKeys('\x1b[H')[0]!.name).toBe('home');
    expect(decodeKeys('\x1b[4~')[0]!.name).toBe('end');
    expect(decodeKeys('\x1b[3~')[0]!.name).toBe('delete');
    expect(decodeKeys('\x1b[5~')[0]!.name).toBe('pageup');
    expect(decodeKeys('\x1b[6~')[0]!.name).toBe('pagedown');
  });

  it('decodes word-jump keys: Ctrl and Alt arrows, Alt-b/f, Alt-Backspace, Alt-Enter', () => {
    expect(decodeKeys('\x1b[1;5D')).toEqual([{ name: 'left', ctrl: true, meta: false, shift: false }]);
    expect(decodeKeys('\x1b[1;3C')).toEqual([{ name: 'right', ctrl: false, meta: true, shift: false }]);
    expect(decodeKeys('\x1b\x1b[D')).toEqual([{ name: 'left', ctrl: false, meta: true, shift: false }]);
    expect(decodeKeys('\x1bb')).toEqual([{ name: 'letter', text: 'b', meta: true }]);
    expect(decodeKeys('\x1b\x7f')).toEqual([{ name: 'backspace', meta: true }]);
    expect(decodeKeys('\x1b\r')).toEqual([{ name: 'enter', meta: true }]);
    expect(decodeKeys('\x1b')).toEqual([{ name: 'escape' }]);
  });

  it('decodes bracketed-paste markers and ignores unknown sequences', () => {
    expect(decodeKeys('\x1b[200~')).toEqual([{ name: 'paste-start' }]);
    expect(decodeKeys('\x1b[201~')).toEqual([{ name: 'paste-end' }]);
    expect(decodeKeys('\x1b[99x')).toEqual([]);
  });
});
