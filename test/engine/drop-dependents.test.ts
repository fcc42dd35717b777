/**
 * DROP refuses to break views: a table or view that views or materialized views read (directly or through
 * another view) is dropped only with CASCADE, which drops them too.
 */
import { describe, expect, it } from 'vitest';
import { Eddy } from '../../src/index.js';

async function session(): Promise<Eddy> {
  const eddy = new Eddy();
  await eddy.execute("CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '3')");
  await eddy.execute("CREATE TABLE other (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '1')");
  await eddy.execute('CREATE VIEW v1 AS SELECT a FROM t');
  await eddy.execute('CREATE VIEW v2 AS SELECT a FROM v1 WHERE a > 0');
  await eddy.execute('CREATE VIEW unrelated AS SELECT x FROM other');
  return eddy;
}

const names = async (eddy: Eddy) => {
  const r = await eddy.execute('SHOW TABLES');
  return r.kind === 'table' ? r.table.rows.map((row) => row[0]) : [];
};

describe('DROP and dependent views', () => {
  it('refuses DROP TABLE while views read it, directly or through a view, naming them', async () => {
    const eddy = await session();
    await expect(eddy.execute('DROP TABLE t')).rejects.toMatchObject({
      code: 'EDDY-B013',
      message: "Cannot drop t: view 'v1', view 'v2' depend on it",
      diagnostics: [expect.objectContaining({ hint: 'drop them first, or add CASCADE to drop them too: DROP TABLE t CASCADE', span: expect.objectContaining({ start: 11 }) })],
    });
    await expect(eddy.execute('DROP VIEW v1 RESTRICT')).rejects.toMatchObject({ message: "Cannot drop v1: view 'v2' depends on it" });
    expect(await names(eddy)).toEqual(['other', 't', 'unrelated', 'v1', 'v2']);
    // A view nothing reads drops as before.
    expect(await eddy.execute('DROP VIEW unrelated')).toMatchObject({ kind: 'ok', message: "View 'unrelated' dropped." });
    await eddy.close();
  });

  it('drops the dependents too with CASCADE, materialized views (and their jobs) included', async () => {
    const eddy = await session();
    const mv = await eddy.execute('CREATE MATERIALIZED VIEW counts AS SELECT b, COUNT(*) AS n FROM v1 JOIN t ON v1.a = t.a GROUP BY b');
    if (mv.kind !== 'job') throw new Error('expected a job');
    await expect(eddy.execute('DROP VIEW v1')).rejects.toMatchObject({ message: "Cannot drop v1: materialized view 'counts', view 'v2' depend on it" });
    expect(await eddy.execute('DROP VIEW v1 CASCADE')).toMatchObject({ kind: 'ok', message: "View 'v1' dropped. Also dropped: materialized view 'counts', view 'v2'." });
    expect(await names(eddy)).toEqual(['other', 't', 'unrelated']);
    expect(mv.job.status).not.toBe('running');
    const views = await eddy.execute('SHOW MATERIALIZED VIEWS');
    expect(views.kind === 'table' && views.table.rows).toEqual([]);
    await eddy.close();
  });
});
