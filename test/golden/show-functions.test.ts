/** SHOW FUNCTIONS through the CLI's script runner: a long list, so checked by the names it must hold rather than as a golden file. */
import { describe, expect, it } from 'vitest';
import { runScripts } from '../../src/cli/run-script.js';
import { Eddy } from '../../src/engine/eddy.js';

/** Functions the golden cases and the docs rely on. */
const EXPECTED = [
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'FIRST_VALUE', 'LAST_VALUE', 'LISTAGG',
  'UPPER', 'LOWER', 'CHAR_LENGTH', 'TRIM', 'SUBSTRING', 'REPLACE', 'CONCAT', 'CONCAT_WS', 'LPAD', 'SPLIT_INDEX', 'REVERSE',
  'ABS', 'ROUND', 'FLOOR', 'CEIL', 'MOD', 'POWER', 'SIGN',
  'COALESCE', 'NULLIF', 'IF', 'IFNULL', 'GREATEST', 'LEAST',
  'DATE_FORMAT', 'EXTRACT', 'HOUR', 'TIMESTAMPADD', 'TIMESTAMPDIFF', 'TO_TIMESTAMP', 'TO_TIMESTAMP_LTZ',
];

describe('SHOW FUNCTIONS', () => {
  it('lists the built-in functions once each, sorted, with a row count', async () => {
    let out = '';
    let err = '';
    const code = await runScripts(new Eddy(), [{ name: 'show.sql', text: 'SHOW FUNCTIONS;' }], { out: (t) => void (out += t), err: (t) => void (err += t), color: false });
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^\| function name +\|$/);
    const names = lines.filter((l) => l.startsWith('| ')).slice(1).map((l) => l.slice(2, -2).trim());
    expect(lines.at(-1)).toBe(`${names.length} rows in set`);
    expect(names).toEqual(expect.arrayContaining(EXPECTED));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...names].sort());
  });
});
