/** The text `HELP` prints: the statements with a one-line example each, the kinds of query, the shell's keys. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';


export const HELP_STATEMENTS: readonly (readonly [string, string])[] = [
  ['CREATE TABLE', "CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'filesystem', 'path' = 'in.json', 'format' = 'json');"],
  ['CREATE VIEW', 'CREATE VIEW starts AS SELECT * FROM rides WHERE is_start;'],
  ['CREATE MATERIALIZED VIEW', 'CREATE MATERIALIZED VIEW trips AS SELECT taxi_id, COUNT(*) AS n FROM rides GROUP BY taxi_id;'],
  ['DROP TABLE / VIEW', 'DROP TABLE IF EXISTS t;'],
  ['SELECT', "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;"],
  ['SELECT (pull)', 'SELECT * FROM trips WHERE taxi_id = 42;   (over a materialized view: answers now, then ends)'],
  ['SELECT (push)', 'SELECT * FROM trips EMIT CHANGES;   (the view\'s rows, then its changes as they happen)'],
  ['INSERT INTO', 'INSERT INTO sink SELECT * FROM t;'],
  ['EXECUTE STATEMENT SET', 'EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT ...; INSERT INTO b SELECT ...; END;'],
  ['EXPLAIN', 'EXPLAIN SELECT * FROM t WHERE id > 3;'],
  ['SHOW', 'SHOW TABLES;   SHOW VIEWS;   SHOW MATERIALIZED VIEWS;   SHOW FUNCTIONS;   SHOW JOBS;'],
  ['', 'SHOW CREATE TABLE t;   SHOW CREATE VIEW v;   SHOW COLUMNS FROM t;'],
  ['', 'SHOW CATALOGS;   SHOW DATABASES;   SHOW CURRENT CATALOG;   SHOW CURRENT DATABASE;'],
  ['', 'SHOW TOPICS;   SHOW ALL TOPICS;   (the Kafka cluster\'s topics: SET \'kafka.bootstrap-servers\' or a kafka table names it)'],
  ['PRINT', "PRINT 'orders' FROM BEGINNING LIMIT 10;   (a Kafka topic's records; INTERVAL n: every n-th; Ctrl-C stops)"],
  ['DESCRIBE', "DESCRIBE t;   DESCRIBE JOB 'job-1';   (a running or failed job's status, counters and plan)"],
  ['SET / RESET', "SET 'sql-client.execution.result-mode' = 'changelog';   RESET;"],
  ['STOP JOB', "STOP JOB 'job-1' WITH SAVEPOINT;"],
  ['DEFINE / RUN SCRIPT', "DEFINE t = 'orders';   SELECT * FROM ${t};   UNDEFINE t;   SHOW VARIABLES;   RUN SCRIPT 'lib.sql';"],
  ['TERMINATE', "SHOW QUERIES;   TERMINATE job-1;   TERMINATE ALL;   (ksqlDB's; also LIST STREAMS, SHOW PROPERTIES, UNSET 'key')"],
  ['HELP / CLEAR / QUIT', 'HELP;   CLEAR;   QUIT;   (EXIT works too)'],
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
  ['Ctrl-D', 'cancel the running query; on an empty line, exit'],
  ['Ctrl-L', 'clear the screen'],
  ['PgUp PgDn ↑ ↓ End', 'while a query runs: scroll its result; End follows new rows'],
  ['← →', 'while a query runs: scroll its columns when they do not all fit'],
];

export const QUERIES_HELP = [
  'Queries: a SELECT over streaming tables is continuous: it runs until its input ends (or Ctrl-C), its result',
  'updated as rows arrive. CREATE MATERIALIZED VIEW keeps a query\'s result up to date in a table. A SELECT that',
  'reads only materialized views (or sqlite tables) is a pull query: it answers from their rows now, then ends.',
  'With EMIT CHANGES it is a push query: the views\' current rows, then each change as it happens, until Ctrl-C.',
].join('\n');

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
    QUERIES_HELP,
    RESULT_MODES_HELP,
    docsPointer(),
  ].join('\n');
}

/** The folder of Eddy's own package (where its package.json is), found from this module's place. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'eddy') return dir;
      } catch {
        // Not a package.json we can read: keep looking up.
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The installed docs (the package ships docs/), by path, so the pointer works offline and wherever it is installed. */
export function docsDir(): string | undefined {
  const root = packageRoot();
  const docs = root && join(root, 'docs');
  return docs && existsSync(join(docs, 'shell.md')) ? docs : undefined;
}

function docsPointer(): string {
  const docs = docsDir();
  return docs ? `More: ${join(docs, 'shell.md')} (the shell) and ${join(docs, 'sql.md')} (SQL).` : 'More: docs/shell.md and docs/sql.md in the Eddy package.';
}
