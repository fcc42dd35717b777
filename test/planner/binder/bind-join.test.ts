import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.js';
import { explainLogical, explainPipelines, exprToString } from '../../../src/planner/explain.js';
import { splitJoinCondition } from '../../../src/planner/join-keys.js';
import { expectError, findLogical, findPhysical, spanText, TestPlanner, ty } from '../helpers.js';

const tp = new TestPlanner()
  .ddl(`CREATE TABLE users (user_id INT NOT NULL, name STRING NOT NULL, since TIMESTAMP(3), WATERMARK FOR since AS since)
        WITH ('connector' = 'filesystem', 'path' = '/tmp/users', 'format' = 'json')`)
  .ddl(`CREATE VIEW counts AS SELECT user_id, COUNT(*) AS n FROM orders GROUP BY user_id`)
  .ddl(`CREATE VIEW joined AS SELECT c.user_id, c.url, c.ts, o.product FROM clicks c JOIN orders o ON c.user_id = o.user_id`)
  .ddl(`CREATE TABLE out_sqlite (user_id INT, name STRING, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED)
        WITH ('connector' = 'sqlite', 'path' = '/tmp/out.db', 'table-name' = 'o')`);

/** Output column names and types of a bound query. */
const columns = (sql: string) => tp.bind(sql).plan.schema.map((f) => `${f.name} ${ty(f.type)}`);

describe('binding joins', () => {
  it('SELECT * of an inner join lists both sides; rowtimes lose their time attribute', () => {
    expect(columns('SELECT * FROM users u JOIN clicks c ON u.user_id = c.user_id')).toEqual([
      'user_id INT NOT NULL',
      'name STRING NOT NULL',
      'since TIMESTAMP(3)',
      'user_id INT',
      'url STRING',
      'ts TIMESTAMP(3)',
    ]);
    const join = findLogical(tp.bind('SELECT * FROM users u JOIN clicks c ON u.user_id = c.user_id').plan, 'LogicalJoin');
    expect(join.joinType).toBe('inner');
    expect(join.schema.map((f) => f.name)).toEqual(['user_id', 'name', 'since', 'user_id0', 'url', 'ts']);
    expect(exprToString(join.condition, join.schema.map((f) => f.name))).toBe('(user_id = user_id0)');
  });

  it('the columns of a side that may be null-padded become nullable', () => {
    const nullability = (type: string) => columns(`SELECT u.user_id, u.name, c.user_id FROM users u ${type} JOIN clicks c ON u.user_id = c.user_id`);
    expect(nullability('LEFT')).toEqual(['user_id INT NOT NULL', 'name STRING NOT NULL', 'user_id INT']);
    expect(nullability('RIGHT OUTER')).toEqual(['user_id INT', 'name STRING', 'user_id INT']);
    expect(nullability('FULL')).toEqual(['user_id INT', 'name STRING', 'user_id INT']);
    expect(nullability('INNER')).toEqual(['user_id INT NOT NULL', 'name STRING NOT NULL', 'user_id INT']);
  });

  it('CROSS JOIN and comma joins are inner joins on TRUE; WHERE then applies above them', () => {
    for (const sql of ['SELECT * FROM users CROSS JOIN clicks', 'SELECT * FROM users, clicks']) {
      const join = findLogical(tp.bind(sql).plan, 'LogicalJoin');
      expect(join.joinType).toBe('inner');
      expect(join.condition).toMatchObject({ kind: 'LiteralValue', value: true });
    }
    const plan = tp.bind('SELECT name, url FROM users u, clicks c WHERE u.user_id = c.user_id').plan;
    expect(explainLogical(plan).split('\n').slice(0, 3)).toEqual([
      'LogicalProject(name, url)',
      '+- LogicalFilter(condition=[(user_id = user_id0)])',
      '   +- LogicalJoin(joinType=[inner], condition=[true])',
    ]);
  });

  it('three tables: joins nest left to right, and every alias stays in scope', () => {
    const plan = tp.bind('SELECT u.name, c.url, o.product FROM users u JOIN clicks c ON u.user_id = c.user_id LEFT JOIN orders o ON o.user_id = u.user_id AND o.ts > c.ts').plan;
    const top = findLogical(plan, 'LogicalJoin');
    expect(top.joinType).toBe('left');
    expect(top.left.kind).toBe('LogicalJoin');
    expect(plan.schema.map((f) => `${f.name} ${ty(f.type)}`)).toEqual(['name STRING NOT NULL', 'url STRING', 'product STRING']);
  });

  describe('USING', () => {
    it('shows the USING column once, first; the sides keep their own copies under their qualifiers', () => {
      expect(columns('SELECT * FROM users JOIN counts USING (user_id)')).toEqual(['user_id INT NOT NULL', 'name STRING NOT NULL', 'since TIMESTAMP(3)', 'n BIGINT NOT NULL']);
      expect(columns('SELECT user_id, users.user_id, counts.user_id FROM users JOIN counts USING (user_id)')).toEqual(['user_id INT NOT NULL', 'user_id INT NOT NULL', 'user_id INT']);
      // `t.*` still includes the side's copy.
      expect(columns('SELECT counts.* FROM users JOIN counts USING (user_id)')).toEqual(['user_id INT', 'n BIGINT NOT NULL']);
    });

    it('the merged column is the preserved side\'s value, COALESCE of both for FULL', () => {
      const merged = (type: string) => {
        const p = tp.bind(`SELECT user_id FROM users ${type} JOIN counts USING (user_id)`).plan;
        const using = findLogical(p, 'LogicalJoin');
        const project = p.kind === 'LogicalProject' && p.input.kind === 'LogicalProject' ? p.input : undefined;
        expect(project?.input).toBe(using);
        return exprToString(project!.exprs[0]!, using.schema.map((f) => f.name));
      };
      expect(merged('LEFT')).toBe('user_id');
      expect(merged('RIGHT')).toBe('user_id0');
      expect(merged('FULL')).toBe('COALESCE(user_id, user_id0)');
      expect(columns('SELECT user_id FROM users FULL JOIN counts USING (user_id)')).toEqual(['user_id INT']);
    });

    it('a USING column missing on one side, or named twice, is an error with a span', () => {
      const sql = 'SELECT * FROM users JOIN clicks USING (name)';
      const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_COLUMN);
      expect(d.message).toBe("USING column 'name' is not a column of the right side of the join");
      expect(spanText(sql, d)).toBe('name');
      expectError(() => tp.bind('SELECT * FROM users JOIN clicks USING (user_id, user_id)'), ErrorCode.DUPLICATE_NAME);
      expectError(() => tp.bind('SELECT * FROM users JOIN clicks USING (url)'), ErrorCode.UNKNOWN_COLUMN);
    });
  });

  describe('errors', () => {
    it('a column on both sides is ambiguous unless qualified', () => {
      const sql = 'SELECT user_id FROM users u JOIN clicks c ON u.user_id = c.user_id';
      const d = expectError(() => tp.bind(sql), ErrorCode.AMBIGUOUS_COLUMN);
      expect(d.hint).toBe('qualify it: u.user_id or c.user_id');
      expect(spanText(sql, d)).toBe('user_id');
      // In ON too.
      expectError(() => tp.bind('SELECT u.name FROM users u JOIN clicks c ON user_id = 1'), ErrorCode.AMBIGUOUS_COLUMN);
    });

    it('an unknown qualifier names the tables in scope', () => {
      const sql = 'SELECT payments.url FROM users u JOIN clicks c ON u.user_id = c.user_id';
      const d = expectError(() => tp.bind(sql), ErrorCode.UNKNOWN_TABLE);
      expect(d.hint).toBe('tables in scope: u, c');
      expect(spanText(sql, d)).toBe('payments.url');
      // An alias hides the table name.
      expectError(() => tp.bind('SELECT users.name FROM users u JOIN clicks c ON u.user_id = c.user_id'), ErrorCode.UNKNOWN_TABLE);
    });

    it('the same table name twice needs an alias', () => {
      const sql = 'SELECT * FROM clicks JOIN clicks ON TRUE';
      const d = expectError(() => tp.bind(sql), ErrorCode.DUPLICATE_NAME);
      expect(d.hint).toMatch(/clicks AS clicks2/);
      expect(spanText(sql, d)).toBe('clicks');
      expect(columns('SELECT a.url, b.url FROM clicks a JOIN clicks b ON a.user_id = b.user_id')).toEqual(['url STRING', 'url STRING']);
    });

    it('ON must be BOOLEAN and may not aggregate', () => {
      expectError(() => tp.bind('SELECT * FROM users u JOIN clicks c ON u.user_id + c.user_id'), ErrorCode.TYPE_MISMATCH);
      expectError(() => tp.bind('SELECT * FROM users u JOIN clicks c ON COUNT(*) > 1'), ErrorCode.INVALID_AGGREGATE);
    });

    it('a window over a join output is rejected: the join dropped the time attribute', () => {
      const tvf = "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE joined, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end";
      const d = expectError(() => tp.bind(tvf), ErrorCode.NOT_A_TIME_ATTRIBUTE);
      expect(d.message).toMatch(/comes out of a regular join, which does not keep time attributes/);
      expect(d.hint).toMatch(/window each input before joining/);
      expect(spanText(tvf, d)).toBe('ts');
      const legacy = "SELECT COUNT(*) FROM clicks c JOIN orders o ON c.user_id = o.user_id GROUP BY TUMBLE(c.ts, INTERVAL '1' MINUTE)";
      expect(expectError(() => tp.bind(legacy), ErrorCode.NOT_A_TIME_ATTRIBUTE).message).toMatch(/regular join/);
      // ORDER BY the former rowtime cannot be executed on a stream either.
      expectError(() => tp.plan('SELECT * FROM joined ORDER BY ts'), ErrorCode.UNSUPPORTED);
      // A column that never was a time attribute keeps the usual message.
      expect(expectError(() => tp.bind("SELECT COUNT(*) FROM orders GROUP BY TUMBLE(plain_ts, INTERVAL '1' MINUTE)"), ErrorCode.NOT_A_TIME_ATTRIBUTE).message).not.toMatch(/join/);
    });
  });
});

describe('planning joins', () => {
  it('splits the condition into equi-keys and a residual', () => {
    const join = findLogical(tp.bind('SELECT * FROM users u JOIN orders o ON o.user_id = u.user_id AND u.name <> o.product AND o.qty > 1').plan, 'LogicalJoin');
    const split = splitJoinCondition(join.condition, join.left.schema.length);
    expect(split.leftKeys.map((e) => exprToString(e, join.left.schema.map((f) => f.name)))).toEqual(['user_id']);
    expect(split.rightKeys.map((e) => exprToString(e, join.right.schema.map((f) => f.name)))).toEqual(['user_id']);
    expect(exprToString(split.residual!, join.schema.map((f) => f.name))).toBe('((name <> product) AND (qty > 1))');
    // Keys may be expressions of one side; a comparison within one side, or an OR, is residual.
    const j2 = findLogical(tp.bind('SELECT * FROM users u JOIN orders o ON u.user_id + 1 = o.qty AND (u.user_id = o.user_id OR o.id = 1)').plan, 'LogicalJoin');
    const s2 = splitJoinCondition(j2.condition, j2.left.schema.length);
    expect(s2.leftKeys.map((e) => exprToString(e))).toEqual(['(user_id + 1)']);
    expect(s2.residual?.kind).toBe('OrExpr');
  });

  it('EXPLAIN of an inner equi-join: keys, no residual, insert-only', () => {
    const text = explainPipelines([tp.plan('SELECT u.name, c.url FROM users u JOIN clicks c ON u.user_id = c.user_id')]);
    expect(text.slice(text.indexOf('== Optimized Logical Plan =='))).toBe(
      [
        '== Optimized Logical Plan ==',
        'LogicalProject(name, url)',
        '+- LogicalJoin(joinType=[inner], condition=[(user_id = user_id0)])',
        '   :- LogicalScan(table=[users], fields=[user_id, name], watermark=[since])',
        '   +- LogicalScan(table=[clicks], fields=[user_id, url], watermark=[ts])',
        '',
        '== Optimized Physical Plan ==',
        'Collect(fields=[name, url])',
        '+- Calc(select=[name, url]), changelog=[I]',
        '   +- Join(joinType=[InnerJoin], leftKeys=[user_id], rightKeys=[user_id]), state=[left, right, inputs], changelog=[I]',
        '      :- Exchange(distribution=[hash[user_id]]), changelog=[I]',
        '      :  +- TableSourceScan(table=[users], connector=[filesystem], fields=[user_id, name], watermark=[since]), state=[watermarks], changelog=[I]',
        '      +- Exchange(distribution=[hash[user_id]]), changelog=[I]',
        '         +- TableSourceScan(table=[clicks], connector=[filesystem], fields=[user_id, url], watermark=[ts]), state=[watermarks], changelog=[I]',
        '',
      ].join('\n'),
    );
  });

  it('EXPLAIN of a comma join with a WHERE: the WHERE becomes the join keys; a non-equi join has one partition', () => {
    const text = explainPipelines([tp.plan("SELECT u.name FROM users u, clicks c WHERE c.user_id = u.user_id AND c.url LIKE 'a%' AND u.since < c.ts")]);
    expect(text).toContain("Join(joinType=[InnerJoin], leftKeys=[user_id], rightKeys=[user_id], where=[(since < ts)]), state=[left, right, inputs], changelog=[I]");
    expect(text).toContain("Calc(select=[user_id, ts], where=[(url LIKE 'a%')]), changelog=[I], rowtime=[ts]");
    expect(explainPipelines([tp.plan('SELECT u.name FROM users u JOIN clicks c ON u.since < c.ts')])).toContain(
      'Join(joinType=[InnerJoin], keys=[none: one partition for all rows], where=[(since < ts)]), state=[left, right, inputs], changelog=[I]',
    );
  });

  it('outer joins, and joins of updating inputs, are updating; an inner join of keyed inputs has their keys', () => {
    const left = findPhysical(tp.plan('SELECT * FROM users u LEFT JOIN clicks c ON u.user_id = c.user_id').pipeline.root, 'Join');
    expect(left.changelog).toEqual({ kind: 'updating' });
    expect(left.joinType).toBe('left');
    const inner = findPhysical(tp.plan('SELECT * FROM counts a JOIN counts b ON a.n = b.n').pipeline.root, 'Join');
    expect(inner.changelog).toEqual({ kind: 'updating', upsertKey: [0, 2] });
    // Joined on one side's unique key, each row of the other side matches at most one row: its own key identifies the output.
    const changelogOf = (sql: string) => findPhysical(tp.plan(sql).pipeline.root, 'Join').changelog;
    expect(changelogOf('SELECT * FROM counts a LEFT JOIN counts b ON a.user_id = b.user_id AND a.n < b.n')).toEqual({ kind: 'updating', upsertKey: [0] });
    expect(changelogOf('SELECT * FROM counts a RIGHT JOIN counts b ON a.user_id = b.user_id')).toEqual({ kind: 'updating', upsertKey: [2] });
    expect(changelogOf('SELECT * FROM counts a FULL JOIN counts b ON a.user_id = b.user_id')).toEqual({ kind: 'updating' });
    const mixed = findPhysical(tp.plan('SELECT * FROM users u JOIN counts c ON u.user_id = c.user_id').pipeline.root, 'Join');
    expect(mixed.changelog).toEqual({ kind: 'updating' });
    expect(explainPipelines([tp.plan('SELECT * FROM users u FULL JOIN clicks c ON u.user_id = c.user_id')])).toContain('Join(joinType=[FullOuterJoin]');
  });

  it('an outer join cannot go into an append-only sink, and the message names the join', () => {
    const sql = 'INSERT INTO out_file SELECT u.user_id, COUNT(*) FROM users u LEFT JOIN clicks c ON u.user_id = c.user_id GROUP BY u.user_id';
    expectError(() => tp.insert(sql), ErrorCode.UPDATING_INTO_APPEND_ONLY);
    const d = expectError(() => tp.insert('INSERT INTO out_file SELECT u.user_id, c.user_id FROM users u LEFT JOIN clicks c ON u.user_id = c.user_id'), ErrorCode.UPDATING_INTO_APPEND_ONLY);
    expect(d.message).toMatch(/its Join revises earlier results/);
    // An inner join of append-only inputs can.
    expect(tp.insert('INSERT INTO out_file SELECT u.user_id, c.user_id FROM users u JOIN clicks c ON u.user_id = c.user_id').pipeline.root.changelog.kind).toBe('insert-only');
    // LIMIT over an outer join needs an insert-only input; the hint is about the join.
    const limit = expectError(() => tp.plan('SELECT * FROM users u LEFT JOIN clicks c ON u.user_id = c.user_id LIMIT 3'), ErrorCode.UNSUPPORTED);
    expect(limit.message).toMatch(/from a Join/);
    expect(limit.hint).toMatch(/outer join/);
  });

  it('a view over a join can be aggregated, and an aggregate can be joined', () => {
    expect(tp.plan('SELECT product, COUNT(*) FROM joined GROUP BY product').pipeline.root.changelog.kind).toBe('updating');
    expect(tp.insert('INSERT INTO out_sqlite SELECT u.user_id, u.name, c.n FROM users u JOIN counts c ON u.user_id = c.user_id').pipeline.sink.kind).toBe('table');
  });
});
