import { describe, expect, it } from 'vitest';
import { T } from '../../src/common/types.js';
import { builtinFunctions, FunctionRegistry } from '../../src/functions/registry.js';
import type { ScalarFunctionDef } from '../../src/functions/function-types.js';

describe('FunctionRegistry', () => {
  const registry = builtinFunctions();

  it('looks names up case-insensitively', () => {
    expect(registry.scalar('upper')?.name).toBe('UPPER');
    expect(registry.scalar('Split_Index')?.name).toBe('SPLIT_INDEX');
    expect(registry.aggregate('count')?.name).toBe('COUNT');
    expect(registry.scalar('count')).toBeUndefined();
    expect(registry.scalar('nope')).toBeUndefined();
  });

  it('knows which names are aggregates', () => {
    expect(registry.isAggregate('sum')).toBe(true);
    expect(registry.isAggregate('ABS')).toBe(false);
  });

  it('lists every name sorted, each with a description', () => {
    const names = registry.names();
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    for (const required of ['+', '=', 'LIKE', 'COALESCE', 'DATE_FORMAT', 'TIMESTAMPDIFF', 'MAX', 'FIRST_VALUE', 'PROCTIME']) {
      expect(names).toContain(required);
    }
    for (const n of names) expect(registry.describe(n)?.length).toBeGreaterThan(5);
    expect(registry.describe('split_index')).toMatch(/^SPLIT_INDEX\(/);
  });

  it('registers user functions', () => {
    const r = new FunctionRegistry();
    const twice: ScalarFunctionDef = {
      name: 'twice',
      description: 'TWICE(x) – 2x',
      resolve: () => ({ type: T.int(), impl: (x: number) => 2 * x, strict: true, deterministic: true }),
    };
    r.register(twice);
    expect(r.scalar('TWICE')).toBe(twice);
    expect(r.names()).toEqual(['TWICE']);
  });
});
