/**
 * The durable catalog of a session with a state directory: the DDL text of every table, view and
 * materialized view created since it was opened, in creation order, kept in `catalog.json` and replayed
 * when the session opens it again (`eddy serve --state-dir`). A materialized view replayed finds its job's
 * state and resumes from its last checkpoint. Temporary objects are not kept (they belong to the session).
 *
 * The file is rewritten whole (to a temporary file, then renamed) on every change, so a crash leaves the
 * old or the new version, never half of one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One kept statement: the object's name and the statement that created it. */
export interface CatalogRecord {
  readonly name: string;
  readonly sql: string;
}

interface CatalogFile {
  readonly version: 1;
  readonly statements: readonly CatalogRecord[];
}

export class CatalogLog {
  constructor(readonly path: string) {}

  /** The kept statements, in creation order (none when the file does not exist). */
  records(): CatalogRecord[] {
    if (!existsSync(this.path)) return [];
    const file = JSON.parse(readFileSync(this.path, 'utf8')) as CatalogFile;
    if (file.version !== 1 || !Array.isArray(file.statements)) throw new Error(`${this.path} is not an Eddy catalog (version 1)`);
    return [...file.statements];
  }

  /** Keeps the statement that created `name` (replacing an older one of that name). */
  created(name: string, sql: string): void {
    this.write([...this.records().filter((r) => !sameName(r.name, name)), { name, sql }]);
  }

  /** Forgets `name` (it was dropped). */
  dropped(name: string): void {
    const records = this.records();
    const kept = records.filter((r) => !sameName(r.name, name));
    if (kept.length !== records.length) this.write(kept);
  }

  /** Forgets everything (`--fresh`). */
  clear(): void {
    rmSync(this.path, { force: true });
  }

  private write(statements: readonly CatalogRecord[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, statements } satisfies CatalogFile, null, 2) + '\n');
    renameSync(tmp, this.path);
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
