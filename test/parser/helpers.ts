/** Test helpers for the parser: parse one statement or query and narrow the result. */
import { parseStatement } from '../../src/parser/index.js';
import type { Expr, Query, Select, Statement } from '../../src/parser/index.js';

/** Parses one statement and checks its kind. */
export function stmt<K extends Statement['kind']>(sql: string, kind: K): Extract<Statement, { kind: K }> {
  const s = parseStatement(sql);
  if (s.kind !== kind) throw new Error(`expected ${kind}, got ${s.kind}`);
  return s as Extract<Statement, { kind: K }>;
}

/** Parses a query statement and returns its Query. */
export function query(sql: string): Query {
  return stmt(sql, 'QueryStatement').query;
}

/** Parses a query whose body is a single SELECT. */
export function select(sql: string): Select {
  const body = query(sql).body;
  if (body.kind !== 'Select') throw new Error(`expected Select, got ${body.kind}`);
  return body;
}

/** Narrows an expression to a kind. */
export function as<K extends Expr['kind']>(e: Expr | undefined, kind: K): Extract<Expr, { kind: K }> {
  if (e?.kind !== kind) throw new Error(`expected ${kind}, got ${e?.kind}`);
  return e as Extract<Expr, { kind: K }>;
}
