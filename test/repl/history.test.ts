/** Persistent history: survives a restart, keeps multi-line entries whole, searches newest first. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { History, historyFile } from '../../repl/history.js';

describe('History', () => {
  it('appends entries to its file and reads them back in a new session', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eddy-hist-')), 'sub', 'history');
    const h = new History(file);
    h.add('SELECT 1;');
    h.add('SELECT a,\n  b\nFROM t;');
    h.add('SELECT a,\n  b\nFROM t;'); // the same as the last: not repeated
    h.add('   ');
    h.add("SELECT 'back\\slash';");
    expect(readFileSync(file, 'utf8')).toBe("SELECT 1;\nSELECT a,\\n  b\\nFROM t;\nSELECT 'back\\\\slash';\n");
    expect(new History(file).entries).toEqual(['SELECT 1;', 'SELECT a,\n  b\nFROM t;', "SELECT 'back\\slash';"]);
  });

  it('keeps at most max entries', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eddy-hist-')), 'history');
    const h = new History(file, 3);
    for (let i = 1; i <= 7; i++) h.add(`SELECT ${i};`);
    expect(h.entries).toEqual(['SELECT 5;', 'SELECT 6;', 'SELECT 7;']);
    expect(new History(file, 3).entries).toEqual(['SELECT 5;', 'SELECT 6;', 'SELECT 7;']);
  });

  it('searches newest first, case-insensitively, before a given index', () => {
    const h = new History(undefined);
    ['SELECT a FROM rides;', 'SHOW TABLES;', 'select b from rides;'].forEach((e) => h.add(e));
    expect(h.search('FROM RIDES')).toEqual({ index: 2, entry: 'select b from rides;' });
    expect(h.search('from rides', 2)).toEqual({ index: 0, entry: 'SELECT a FROM rides;' });
    expect(h.search('from rides', 0)).toBeUndefined();
    expect(h.search('nothing')).toBeUndefined();
  });

  it('lives in EDDY_HISTORY_FILE, else under XDG_DATA_HOME, else ~/.local/share', () => {
    expect(historyFile({ EDDY_HISTORY_FILE: '/tmp/h' })).toBe('/tmp/h');
    expect(historyFile({ XDG_DATA_HOME: '/data' })).toBe('/data/eddy/history');
    expect(historyFile({})).toMatch(/\.local\/share\/eddy\/history$/);
  });
});
