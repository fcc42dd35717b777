/**
 * Flink's dynamic table options (`FROM t /*+ OPTIONS('path' = 'other.csv') *\/`, also after an INSERT
 * target): they override the table's WITH options for one statement, are checked like WITH options, and
 * any other hint — or a hint where Eddy takes none — is an error at its position, never ignored.
 * Through `eddy run` (a child process) and the engine API.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/engine/eddy.js';
import { planFingerprint } from '../../src/engine/durable-state.js';
import { nodeId } from '../../src/planner/node-id.js';
import { physicalInputs, type PhysicalPlan } from '../../src/planner/physical-plan.js';
import { TestPlanner } from '../planner/helpers.js';
import { executeAll, failureOf, runQuery, sortedRows, tempDir } from './helpers.js';

const BIN = join(__dirname, '..', '..', 'bin', 'eddy.js');

function eddyRun(script: string) {
  const r = spawnSync(process.execPath, [BIN, 'run', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Two CSV files with different rows, and the DDL of a table over the first. */
function files() {
  const dir = tempDir('eddy-hint-');
  const a = join(dir, 'a.csv');
  const b = join(dir, 'b.csv');
  writeFileSync(a, '1,alpha\n2,beta\n');
  writeFileSync(b, '10,xi\n20,omicron\n30,pi\n');
  const ddl = `CREATE TABLE t (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${a}', 'format' = 'csv');`;
  return { dir, a, b, ddl };
}

describe('OPTIONS hint through eddy run', () => {
  it('reads the file the hint names, for that query only', () => {
    const { dir, b, ddl } = files();
    const script = join(dir, 'job.sql');
    writeFileSync(script, `${ddl}\nSELECT id, name FROM t /*+ OPTIONS('path' = '${b}') */;\nSELECT id, name FROM t;\n`);
    const r = eddyRun(script);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const [hinted, plain] = r.out.split('Received a total of');
    // The hinted query reads b.csv (3 rows), the plain one a.csv again (2 rows).
    expect(hinted).toContain('| omicron');
    expect(hinted).not.toContain('| alpha');
    expect(r.out).toContain('Received a total of 3 rows');
    expect(plain).toContain('| alpha');
    expect(r.out).toContain('Received a total of 2 rows');
  });

  it('writes an INSERT into the file its target hint names', () => {
    const { dir, a, ddl } = files();
    const usual = join(dir, 'out-usual.json');
    const other = join(dir, 'out-other.json');
    const script = join(dir, 'job.sql');
    writeFileSync(
      script,
      `${ddl}\nCREATE TABLE sink (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${usual}', 'format' = 'json');\n` +
        `SET 'table.dml-sync' = 'true';\nINSERT INTO sink /*+ OPTIONS('path' = '${other}') */ SELECT id, name FROM t;\n`,
    );
    const r = eddyRun(script);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(existsSync(usual)).toBe(false);
    const written = readFileSync(other, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(written).toEqual([{ id: 1, name: 'alpha' }, { id: 2, name: 'beta' }]);
    expect(readFileSync(a, 'utf8')).toBe('1,alpha\n2,beta\n');
  });

  // [what, the hint, the message, its column on line 2, the hint's hint]
  const refused: [string, string, string, number, string][] = [
    ['an unknown option key', "/*+ OPTIONS('pth' = 'b.csv') */", "Unknown option 'pth' for connector 'filesystem'", 29, 'did you mean `path`?'],
    ['an unknown hint', "/*+ STATE_TTL('t' = '1d') */", 'Unknown hint `STATE_TTL`', 21, "Flink's query hints"],
  ];
  it.each(refused)('refuses %s at its position and exits 1', (_what, hint, message, column, help) => {
    const { dir, ddl } = files();
    const script = join(dir, 'job.sql');
    writeFileSync(script, `${ddl}\nSELECT * FROM t ${hint};\n`);
    const r = eddyRun(script);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).toContain(`${script}:2:${column}`);
    expect(r.err).toContain(help);
    expect(r.out).not.toContain('Received');
  });
});

describe('OPTIONS hint through the engine API', () => {
  it('overrides the path, and a join reads each side with its own options', async () => {
    const { b, ddl } = files();
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const hinted = await runQuery(eddy, `SELECT id, name FROM t /*+ OPTIONS('path' = '${b}') */ AS x WHERE id > 10`);
    expect(sortedRows(hinted.changes.map((c) => c.row))).toEqual(sortedRows([[20, 'omicron'], [30, 'pi']]));
    const both = await runQuery(eddy, `SELECT x.id, y.id FROM t AS x CROSS JOIN t /*+ OPTIONS('path' = '${b}') */ AS y WHERE x.id = 1`);
    expect(sortedRows(both.changes.map((c) => c.row))).toEqual(sortedRows([[1, 10], [1, 20], [1, 30]]));
  });

  it('sets an option the table did not have (errors.policy) for one query', async () => {
    const { dir, ddl } = files();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '1,one\nnot-a-number,two\n3,three\n');
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const skipped = await runQuery(eddy, `SELECT id FROM t /*+ OPTIONS('path' = '${bad}', 'errors.policy' = 'skip') */`);
    expect(sortedRows(skipped.changes.map((c) => c.row))).toEqual(sortedRows([[1], [3]]));
    const failed = await failureOf(eddy, `SELECT id FROM t /*+ OPTIONS('path' = '${bad}') */`);
    expect(failed.message).toContain('Bad record in `t`');
  });

  it('refuses bad values, the connector key, hints on views and misplaced hints, each at its position', async () => {
    const { ddl } = files();
    const eddy = new Eddy();
    await executeAll(eddy, `${ddl}\nCREATE VIEW v AS SELECT * FROM t;`);
    const badFormat = await failureOf(eddy, "SELECT * FROM t /*+ OPTIONS('format' = 'xml') */");
    expect(badFormat.message).toContain("Unknown format 'xml'");
    expect(badFormat.diagnostics[0]!.span).toMatchObject({ line: 1, column: 40 });

    const connector = await failureOf(eddy, "SELECT * FROM t /*+ OPTIONS('connector' = 'datagen') */");
    expect(connector.message).toBe("An OPTIONS hint cannot change the connector of 't'");

    const onView = await failureOf(eddy, "SELECT * FROM v /*+ OPTIONS('path' = '/x') */");
    expect(onView.message).toBe("OPTIONS hints apply to tables, and 'v' is a view");
    expect(onView.diagnostics[0]!.span).toMatchObject({ line: 1, column: 17 });

    const afterAlias = await failureOf(eddy, "SELECT * FROM t AS x /*+ OPTIONS('path' = '/x') */");
    expect(afterAlias.message).toBe("An OPTIONS hint is not allowed here: `/*+ OPTIONS('path' = '/x') */`");
    expect(afterAlias.diagnostics[0]!.hint).toContain('right after the table name, before any alias');

    const queryHint = await failureOf(eddy, 'SELECT /*+ BROADCAST(t) */ * FROM t');
    expect(queryHint.message).toBe('Hint `BROADCAST` is not supported: `/*+ BROADCAST(t) */`');
    expect(queryHint.diagnostics[0]!.span).toMatchObject({ line: 1, column: 8 });

    const twice = await failureOf(eddy, "SELECT * FROM t /*+ OPTIONS('path' = '/a', 'path' = '/b') */");
    expect(twice.message).toBe("Option 'path' is given twice in the hint");
    expect(twice.diagnostics[0]!.span).toMatchObject({ line: 1, column: 44 });

    const unquoted = await failureOf(eddy, "SELECT * FROM t /*+ OPTIONS(path = '/a') */");
    expect(unquoted.message).toBe("Expected an option key in single quotes ('path') in the hint, found 'path'");
  });

  it("obeys 'table.dynamic-table-options.enabled' = 'false'", async () => {
    const { b, ddl } = files();
    const eddy = new Eddy();
    await executeAll(eddy, `${ddl}\nSET 'table.dynamic-table-options.enabled' = 'false';`);
    const err = await failureOf(eddy, `SELECT * FROM t /*+ OPTIONS('path' = '${b}') */`);
    expect(err.message).toBe("OPTIONS hints are disabled ('table.dynamic-table-options.enabled' is false)");
  });

  it('a plain comment that merely starts with /*+ is still a comment', async () => {
    const { ddl } = files();
    const eddy = new Eddy();
    await executeAll(eddy, ddl);
    const r = await runQuery(eddy, 'SELECT id /*+++ banner +++*/ FROM t');
    expect(sortedRows(r.changes.map((c) => c.row))).toEqual(sortedRows([[1], [2]]));
  });
});

describe('OPTIONS hint and job state', () => {
  // Decision (see src/planner/binder/bind-options-hint.ts): a hinted table is another source. Its plan nodes
  // have other ids (so a self-join over two files is two reads, tested above) and the restore fingerprint
  // differs, so a job whose hint changed is refused its old state instead of resuming on another source's
  // positions. Without a hint, ids are what they were.
  it('gives a hinted scan and sink another id and fingerprint; the same hint gives the same ones', () => {
    const sql = (source: string, sink: string) => `INSERT INTO out_file ${sink} SELECT user_id, id FROM orders ${source} WHERE qty > 1`;
    const plan = (source: string, sink = '') => new TestPlanner().insert(sql(source, sink));
    const scanOf = (p: PhysicalPlan): PhysicalPlan => (p.kind === 'TableSourceScan' ? p : scanOf(physicalInputs(p)[0]!));
    const plain = plan('');
    const hinted = plan("/*+ OPTIONS('path' = '/tmp/orders-2') */");
    const scan = scanOf(hinted.pipeline.root);
    expect(scan.kind === 'TableSourceScan' && scan.table.options['path']).toBe('/tmp/orders-2');
    expect(nodeId(scan)).not.toBe(nodeId(scanOf(plain.pipeline.root)));
    expect(planFingerprint(hinted)).not.toBe(planFingerprint(plain));
    expect(planFingerprint(plan("/*+ OPTIONS('path' = '/tmp/orders-2') */"))).toBe(planFingerprint(hinted));
    // The same options in another order are the same source.
    const ab = plan("/*+ OPTIONS('path' = '/tmp/o', 'errors.policy' = 'skip') */");
    const ba = plan("/*+ OPTIONS('errors.policy' = 'skip', 'path' = '/tmp/o') */");
    expect(planFingerprint(ab)).toBe(planFingerprint(ba));
    expect(planFingerprint(plan('', "/*+ OPTIONS('path' = '/tmp/out-2') */"))).not.toBe(planFingerprint(plain));
    expect(planFingerprint(plan(''))).toBe(planFingerprint(plain));
  });
});
