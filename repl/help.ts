/** The text `HELP` prints: the statements with a one-line example each, and the shell's keys. */

export const HELP_STATEMENTS: readonly (readonly [string, string])[] = [
  ['CREATE TABLE', "CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = 'in.json', 'format' = 'json');"],
  ['CREATE VIEW', 'CREATE VIEW starts AS SELECT * FROM rides WHERE is_start;'],
  ['CREATE MATERIALIZED VIEW', 'CREATE MATERIALIZED VIEW trips AS SELECT taxi_id, COUNT(*) AS n FROM rides GROUP BY taxi_id;'],
  ['DROP TABLE / VIEW', 'DROP TABLE IF EXISTS t;'],
  ['SELECT', "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;"],
  ['INSERT INTO', 'INSERT INTO sink SELECT * FROM t;'],
  ['EXECUTE STATEMENT SET', 'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT ...; INSERT INTO b SELECT ...; END;'],
  ['EXPLAIN', 'EXPLAIN SELECT * FROM t WHERE id > 3;'],
  ['SHOW', 'SHOW TABLES;   SHOW VIEWS;   SHOW FUNCTIONS;   SHOW JOBS;'],
  ['DESCRIBE', 'DESCRIBE t;'],
  ['SET / RESET', "SET 'sql-client.execution.result-mode' = 'changelog';   RESET;"],
  ['STOP JOB', "STOP JOB 'job-1' WITH SAVEPOINT;"],
  ['HELP / QUIT', 'HELP;   QUIT;   (EXIT works too)'],
];

export const HELP_KEYS: readonly (readonly [string, string])[] = [
  ['Enter', 'run the input when it ends with ; (otherwise a new line)'],
  ['Alt-Enter', 'a new line without running'],
  ['Tab', 'complete keywords, tables, columns, functions, connector options'],
  ['↑ ↓', 'move between lines, or through history'],
  ['Ctrl-R', 'search history (again: older match; Enter takes it; Esc cancels)'],
  ['Ctrl/Alt-← →', 'jump by word (also Alt-b, Alt-f)'],
  ['Home End', 'start / end of line (also Ctrl-A, Ctrl-E)'],
  ['Ctrl-W Ctrl-K Ctrl-U', 'delete word before / to end of line / to start of line'],
  ['Ctrl-C', 'cancel the running query, or clear the input'],
  ['Ctrl-D', 'exit (on an empty line)'],
  ['PgUp PgDn ↑ ↓ End', 'while a query runs: scroll its result; End follows new rows'],
];

export const RESULT_MODES_HELP =
  "Result modes: SET 'sql-client.execution.result-mode' = 'table' (the current result, updated in place) | 'changelog' (+I/-U/+U/-D changes) | 'tableau' (rows printed as they come).";

/** The help as plain lines. */
export function helpText(): string {
  const w1 = Math.max(...HELP_STATEMENTS.map(([s]) => s.length));
  const w2 = Math.max(...HELP_KEYS.map(([s]) => s.length));
  return [
    'Statements:',
    ...HELP_STATEMENTS.map(([s, e]) => `  ${s.padEnd(w1)}  ${e}`),
    '',
    'Keys:',
    ...HELP_KEYS.map(([k, d]) => `  ${k.padEnd(w2)}  ${d}`),
    '',
    RESULT_MODES_HELP,
    'More: docs/shell.md and docs/sql.md.',
  ].join('\n');
}
