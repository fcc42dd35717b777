/**
 * Runs examples/ksql/pageviews.sql with a real `eddy run` process and reads its three pull-query answers; the
 * persistent queries keep running after them (as on a ksqlDB server), so the process is then interrupted.
 * Used by the embedded-log test (npm test) and the Kafka one (test:kafka).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The answers, worked out by hand from the script's INSERTs: views outside Region_3 per region per minute
 * (Region_1: User_1 at 1 s and User_3 at 3 s, then User_1 at 61 s and User_3 at 63 s; Region_2: User_2 at
 * 2 s and 62 s), and User_1's two views, the later of them Page_11.
 */
export const EXPECTED_ANSWERS: readonly string[][][] = [
  [
    ['REGIONID', 'WINDOWSTART', 'WINDOWEND', 'VIEWS'],
    ['Region_1', '0', '60000', '2'],
    ['Region_1', '60000', '120000', '2'],
  ],
  [
    ['REGIONID', 'WINDOWSTART', 'WINDOWEND', 'VIEWS'],
    ['Region_2', '60000', '120000', '1'],
  ],
  [
    ['USERID', 'VIEWS', 'LAST_PAGE'],
    ['User_1', '2', 'Page_11'],
  ],
];

/** A table's header, then its rows sorted (a pull query's rows come in no particular order). */
export function sortedRows(table: readonly string[][]): string[][] {
  const [header, ...rows] = table;
  return [header!, ...[...rows].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')))];
}

/**
 * The cells of the tables printed on `out` (header first), one array per table: only tables printed whole, up
 * to their `Received a total of` line (the output arrives in pieces).
 */
export function printedTables(out: string): string[][][] {
  const tables: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('+-')) current ??= [];
    else if (line.startsWith('|') && current) current.push(line.split('|').slice(1, -1).map((c) => c.trim()));
    else if (line.startsWith('Received a total of') && current) {
      tables.push(current);
      current = undefined;
    }
  }
  return tables;
}

/** Runs the example with `args` before the script; resolves once three tables were printed and the process ended after SIGINT. */
export function runPageviewsExample(args: readonly string[], timeoutMs = 120_000): Promise<{ tables: string[][][]; out: string; err: string; code: number | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'bin/eddy.js'), 'run', ...args, resolve(ROOT, 'examples/ksql/pageviews.sql')], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    let interrupted = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the example did not print its three answers in time\nstdout:\n${out}\nstderr:\n${err}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!interrupted && printedTables(out).length >= 3) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ tables: printedTables(out).map(sortedRows), out, err, code });
    });
  });
}
