/**
 * The `filesystem` connector as the right side of a lookup join (`JOIN side FOR SYSTEM_TIME AS OF l.p ON ...`):
 * a bounded side input, as Nexmark's q13 declares it. Flink's legacy CSV table source could be looked up
 * this way; its current filesystem connector cannot (Hive's can, with a reload interval).
 *
 * The whole file (or every data file of the directory, in name order) is read and decoded when the join opens,
 * and indexed by the join's key columns in memory; lookups are then map reads. The file is read once per job:
 * changes made to it while the job runs are not seen (a restarted job reads it again). Bad records follow the
 * table's `errors.policy` with `<file>:<line>` positions, as when the file is scanned. Only formats of plain
 * records are accepted: a changelog format (`debezium-json`) has no single row per key to look up.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EddyError, ErrorCode } from '../common/errors.js';
import type { LookupContext, LookupReader } from '../runtime/connector.js';
import type { Row } from '../runtime/changelog.js';
import { encodeKey } from '../runtime/keys.js';
import { createDecoder } from './formats/index.js';
import { RecordError } from './formats/record-codec.js';

/** The files of `root`: itself, or a directory's data files (not hidden, not `_`-marked) in name order. */
function dataFiles(tableName: string, root: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new EddyError({ code: ErrorCode.FILE_NOT_FOUND, message: `Table \`${tableName}\`: path '${root}' does not exist`, hint: "check the table's 'path' option" });
  }
  if (!isDirectory) return [root];
  return readdirSync(root)
    .filter((n) => !n.startsWith('.') && !n.startsWith('_'))
    .sort()
    .map((n) => join(root, n))
    .filter((p) => statSync(p).isFile());
}

/** Looks rows of a file up by key (see the file comment). */
export class FileSystemLookupReader implements LookupReader {
  private index: Map<string, Row[]> | undefined;
  private readonly keyColumns: number[];

  constructor(private readonly ctx: LookupContext) {
    this.keyColumns = ctx.keys.map((k) => {
      const i = ctx.schema.findIndex((f) => f.name === k);
      if (i < 0) throw new Error(`lookup key column '${k}' is not a column of ${ctx.tableName}`);
      return i;
    });
  }

  open(): void {
    const format = this.ctx.options['format'] ?? '';
    const decoder = createDecoder(format, this.ctx.schema, this.ctx.options);
    if (decoder.decodeChanges || decoder.binary) {
      throw new EddyError({
        code: ErrorCode.UNSUPPORTED,
        message: `Table \`${this.ctx.tableName}\` cannot be looked up: its format '${format}' ${decoder.binary ? 'holds bytes, not lines of text' : 'holds changes, not one row per record'}`,
        hint: "look up a file of 'json' or 'csv' records, or a 'sqlite' table",
      });
    }
    const index = new Map<string, Row[]>();
    const key = new Array<unknown>(this.keyColumns.length);
    for (const file of dataFiles(this.ctx.tableName, this.ctx.options['path'] ?? '')) {
      const lines = readFileSync(file, 'utf8').split('\n');
      // A final newline leaves one empty string after it, which is not a record.
      if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      for (let n = 0; n < lines.length; n++) {
        let text = lines[n]!;
        if (text.endsWith('\r')) text = text.slice(0, -1);
        const row = decoder.decodeText(text);
        if (row === null) continue;
        if (row instanceof RecordError) {
          this.ctx.badRecord({ kind: row.kind, message: row.message, position: `${file}:${n + 1}`, raw: text });
          continue;
        }
        let nullKey = false;
        for (let i = 0; i < key.length; i++) {
          const v = row[this.keyColumns[i]!] ?? null;
          if (v === null) nullKey = true;
          key[i] = v;
        }
        // A row with a NULL key column never equals a lookup key (SQL equality).
        if (nullKey) continue;
        const k = encodeKey(key);
        const rows = index.get(k);
        if (rows) rows.push(row);
        else index.set(k, [row]);
      }
    }
    this.index = index;
  }

  lookup(key: readonly unknown[]): Row[] {
    if (!this.index) throw new Error('the filesystem lookup reader is not open');
    return this.index.get(encodeKey(key)) ?? [];
  }

  close(): void {
    this.index = undefined;
  }
}
