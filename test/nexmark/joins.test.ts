/**
 * Nexmark's join queries — q3 (regular join with filters), q4 (join + two levels of aggregation: an updating
 * result), q9 (join + ROW_NUMBER top-1 per auction: updating), q13 (lookup join with a side input), q20 (join
 * with a category filter) — each equal to its batch computation over the same events (see suite.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { Events } from './events.js';
import * as oracle from './oracle.js';
import { describeQueries } from './suite.js';

/** q13's side input: values for the auction ids 1000..1299 ending in 0..6 (so some bids find none). */
const SIDE: [number, string][] = [];
for (let key = 1000; key < 1300; key++) if (key % 10 < 7) SIDE.push([key, `side-${key}`]);

/** q13 with its side input in a SQLite table (a table Eddy can look up by key), written into `dir`. */
function sqliteSideInput(text: string, dir: string): string {
  const path = join(dir, 'side_input.db');
  const db = new Database(path);
  db.exec('DROP TABLE IF EXISTS side_input; CREATE TABLE side_input (key INTEGER PRIMARY KEY, value TEXT)');
  const insert = db.prepare('INSERT INTO side_input VALUES (?, ?)');
  for (const [k, v] of SIDE) insert.run(k, v);
  db.close();
  const ddl = `CREATE TABLE side_input (key BIGINT, \`value\` VARCHAR, PRIMARY KEY (key) NOT ENFORCED) WITH ('connector' = 'sqlite', 'path' = '${path}', 'table-name' = 'side_input')`;
  const replaced = text.replace(/CREATE TABLE side_input \([\s\S]*?\n\);/, ddl + ';');
  expect(replaced).not.toBe(text);
  return replaced;
}

/** q13 as its file declares it: the side input a CSV file (`key,value` lines) in the filesystem connector. */
function csvSideInput(text: string, dir: string): string {
  writeFileSync(join(dir, 'side_input.txt'), SIDE.map(([k, v]) => `${k},${v}\n`).join(''));
  return text;
}

describeQueries('Nexmark join queries', [
  { query: 'q3', expected: oracle.q3, minRows: 5, retracts: false },
  // The inner MAX per auction grows as bids come: the outer AVG per category is retracted and updated.
  { query: 'q4', expected: oracle.q4, minRows: 5, retracts: true },
  {
    query: 'q9',
    expected: (e: Events) => {
      expect(oracle.q9Deterministic(e)).toBe(true);
      return oracle.q9(e);
    },
    minRows: 100,
    // A higher bid replaces an auction's winner: -U/+U.
    retracts: true,
  },
  {
    query: 'q13',
    title: 'q13 equals its batch computation (side input in a SQLite table)',
    transform: sqliteSideInput,
    expected: (e: Events) => oracle.q13(e, SIDE),
    minRows: 1000,
    retracts: false,
  },
  {
    query: 'q13',
    title: 'q13 equals its batch computation (side input in a CSV file, as q13.sql declares it)',
    transform: csvSideInput,
    expected: (e: Events) => oracle.q13(e, SIDE),
    minRows: 1000,
    retracts: false,
  },
  { query: 'q20', expected: oracle.q20, minRows: 500, retracts: false },
]);
