import { describe, expect, it } from 'vitest';
import { parseStatement, withParameterValues } from '../../../src/parser/index.js';
import { ErrorCode } from '../../../src/common/errors.js';
import { TestPlanner, expectError, ty } from '../helpers.js';

const tp = new TestPlanner();
const insert = (sql: string, values: string[]) => {
  const stmt = withParameterValues(parseStatement(sql), values.map((text) => ({ text })));
  if (stmt.kind !== 'InsertStatement') throw new Error('not an insert');
  return tp.planner.planInsert(stmt);
};

describe('an INSERT parameter takes its target column type', () => {
  it('in VALUES and a SELECT list, by position and by named columns', () => {
    const values = insert('INSERT INTO out_print VALUES ($1, $2)', ['7', '9000000000']);
    expect(values.logical.schema.map((f) => ty(f.type))).toEqual(['INT NOT NULL', 'BIGINT NOT NULL']);
    const named = insert('INSERT INTO out_print (c, k) SELECT $1, $2', ['5', '6']);
    expect(named.logical.schema.map((f) => ty(f.type))).toEqual(['INT NOT NULL', 'BIGINT NOT NULL']);
    const d = expectError(() => insert('INSERT INTO out_print VALUES ($1, 1)', ['x']), ErrorCode.INVALID_PARAMETER);
    expect(d.message).toBe("Invalid value for parameter $1 (INT): 'x' is not an integer");
  });
});
