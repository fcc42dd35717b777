/**
 * A Bind message's parameter values as the engine takes them: each value's text (binary-format values of a
 * declared type read into text first) and the Eddy type the client declared in Parse, if any. The engine
 * binds them into the statement's AST as typed literals (`Eddy.execute(sql, { params })`), so a value is
 * only ever data: it never becomes SQL text.
 */
import type { ast } from '../index.js';
import { parameterType, PgOid } from './types.js';

/** A value as Bind carries it: text (text format) or bytes (binary format), or null. */
export type WireValue = string | Uint8Array | null;

/** Why a parameter's value cannot be taken; `index` counts from 1. */
export class ParameterError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a binary-format parameter of a declared type as the text it stands for. */
function binaryToText(bytes: Uint8Array, oid: number, index: number): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (buf.length !== n) throw new ParameterError(index, `binary parameter $${index} has ${buf.length} bytes; its type needs ${n}`);
  };
  switch (oid) {
    case PgOid.bool:
      need(1);
      return buf[0] ? 'true' : 'false';
    case PgOid.int2:
      need(2);
      return String(buf.readInt16BE(0));
    case PgOid.int4:
      need(4);
      return String(buf.readInt32BE(0));
    case PgOid.int8:
      need(8);
      return buf.readBigInt64BE(0).toString();
    case PgOid.float4:
      need(4);
      return String(buf.readFloatBE(0));
    case PgOid.float8:
      need(8);
      return String(buf.readDoubleBE(0));
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.unknown:
    case 0:
      return buf.toString('utf8');
    default:
      throw new ParameterError(index, `binary format is not supported for parameter $${index} (type OID ${oid}); send it as text`);
  }
}

/**
 * The engine's parameter values for a Bind: `values[i]` is `$(i + 1)`, `oids` the types Parse declared
 * (missing or 0: unspecified). Throws {@link ParameterError} for a value Eddy cannot take at all (a bytea,
 * a binary value of a type it cannot read); whether a value is valid for its type is the binder's to say,
 * with the parameter's position.
 */
export function parameterValues(values: readonly WireValue[], oids: readonly number[]): ast.ParameterValue[] {
  return values.map((value, i) => {
    const index = i + 1;
    const oid = oids[i] ?? 0;
    const type = parameterType(oid);
    if (type === 'unsupported') throw new ParameterError(index, `BYTEA parameters are not supported ($${index}); send the value as text and convert it in SQL`);
    const text = value === null ? null : value instanceof Uint8Array ? binaryToText(value, oid, index) : value;
    return type === undefined ? { text } : { text, type };
  });
}
