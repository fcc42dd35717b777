/**
 * Reading and writing values of a column type as Avro binary of a given Avro type: compiled once per table from
 * the pair (Avro type, SQL type), which must match (a mismatch is an {@link AvroSchemaError} naming the field).
 * The writer's schema is the reader's: schema evolution (resolving a writer schema against a reader schema) is
 * not done.
 */
import { typeToString, withNullable, type DataType } from '../../common/types.js';
import { decimalValue, fitsPrecision, rescale, toScaled } from '../../common/decimal.js';
import { canonicalInt } from '../../common/int64.js';
import { AvroDataError, AvroReader, AvroWriter, fromTwosComplement, twosComplement, twosComplementOfSize } from './avro-binary.js';
import { AvroSchemaError, type AvroType } from './avro-schema.js';

/** Writes and reads one value. */
export interface AvroValueCodec {
  write(w: AvroWriter, v: unknown): void;
  read(r: AvroReader): unknown;
}

/** A value the schema cannot hold (writing); the sink fails with it. */
export class AvroValueError extends Error {}

const LONG_TIMESTAMP: Record<string, number> = { 'timestamp-millis': 1, 'local-timestamp-millis': 1, 'timestamp-micros': 1000, 'local-timestamp-micros': 1000 };

function describe(t: AvroType): string {
  if (t.kind === 'union') return `[${t.branches.map(describe).join(', ')}]`;
  if ('logicalType' in t && t.logicalType) return `${t.kind} (${t.logicalType}${t.logicalType === 'decimal' ? `(${t.precision}, ${t.scale})` : ''})`;
  if (t.kind === 'record' || t.kind === 'enum' || t.kind === 'fixed') return `${t.kind} '${t.name}'`;
  return t.kind;
}

/**
 * Compiles the codec of values of `type` as Avro `avro`; `where` names the value in errors (`column 'a'`).
 * A nullable column needs a union with "null"; a union has at most one other branch (as in Flink).
 */
export function compileAvroCodec(avro: AvroType, type: DataType, where: string): AvroValueCodec {
  if (avro.kind === 'union') {
    const nullIndex = avro.branches.findIndex((b) => b.kind === 'null');
    const others = avro.branches.map((b, i) => ({ b, i })).filter((x) => x.b.kind !== 'null');
    if (others.length !== 1) throw new AvroSchemaError(`${where}: the union ${describe(avro)} must be of "null" and one other type (Eddy reads no other unions, as Flink)`);
    const { b, i: index } = others[0]!;
    const inner = compileAvroCodec(b, withNullable(type, false), where);
    return {
      write(w, v) {
        if (v === null || v === undefined) {
          if (nullIndex < 0) throw new AvroValueError(`${where} is NULL, but its Avro type ${describe(avro)} has no "null"`);
          w.long(nullIndex);
          return;
        }
        w.long(index);
        inner.write(w, v);
      },
      read(r) {
        const branch = r.long();
        if (branch === BigInt(index)) return inner.read(r);
        if (branch === BigInt(nullIndex)) {
          if (!type.nullable) throw new AvroDataError(`${where} is NOT NULL, but the record holds null`);
          return null;
        }
        throw new AvroDataError(`${where}: union branch ${branch} does not exist in ${describe(avro)}`);
      },
    };
  }
  if (type.nullable && avro.kind !== 'null') {
    throw new AvroSchemaError(`${where} is nullable (${typeToString(type)}), but its Avro type ${describe(avro)} is not a union with "null"`);
  }
  const mismatch = (): AvroSchemaError => new AvroSchemaError(`${where} is ${typeToString(withNullable(type, true))}, which the Avro type ${describe(avro)} cannot hold`);
  const logical = 'logicalType' in avro ? avro.logicalType : undefined;
  switch (avro.kind) {
    case 'boolean':
      if (type.name !== 'BOOLEAN') throw mismatch();
      return { write: (w, v) => w.boolean(v as boolean), read: (r) => r.boolean() };
    case 'int': {
      const ok =
        (['TINYINT', 'SMALLINT', 'INT'].includes(type.name) && logical === undefined) ||
        (type.name === 'DATE' && logical === 'date') ||
        (type.name === 'TIME' && logical === 'time-millis');
      if (!ok) throw mismatch();
      const [min, max] = type.name === 'TINYINT' ? [-128, 127] : type.name === 'SMALLINT' ? [-32768, 32767] : [-(2 ** 31), 2 ** 31 - 1];
      return {
        write: (w, v) => w.int(v as number),
        read(r) {
          const n = r.int();
          if (n < min || n > max) throw new AvroDataError(`${where}: ${n} is out of range for ${typeToString(type)}`);
          return n;
        },
      };
    }
    case 'long': {
      if (type.name === 'BIGINT' && logical === undefined) return { write: (w, v) => w.long(v as number | bigint), read: (r) => canonicalInt(r.long()) };
      if ((type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ') && logical !== undefined && logical in LONG_TIMESTAMP) {
        const units = LONG_TIMESTAMP[logical]!;
        return {
          write: (w, v) => w.long(units === 1 ? (v as number) : BigInt(v as number) * BigInt(units)),
          read(r) {
            const n = r.long();
            return Number(units === 1 ? n : n / BigInt(units) - (n % BigInt(units) < 0n ? 1n : 0n)); // micros floored to millis
          },
        };
      }
      if (type.name === 'TIME' && logical === 'time-micros') {
        return { write: (w, v) => w.long((v as number) * 1000), read: (r) => Number(r.long() / 1000n) };
      }
      throw mismatch();
    }
    case 'float':
      if (type.name !== 'FLOAT') throw mismatch();
      return { write: (w, v) => w.float(v as number), read: (r) => r.float() };
    case 'double':
      if (type.name !== 'DOUBLE') throw mismatch();
      return { write: (w, v) => w.double(v as number), read: (r) => r.double() };
    case 'string':
      if (type.name !== 'STRING') throw mismatch();
      return { write: (w, v) => w.string(v as string), read: (r) => r.string() };
    case 'enum': {
      if (type.name !== 'STRING') throw mismatch();
      const symbols = avro.symbols;
      return {
        write(w, v) {
          const i = symbols.indexOf(v as string);
          if (i < 0) throw new AvroValueError(`${where}: '${String(v)}' is not a symbol of enum '${avro.name}' (${symbols.join(', ')})`);
          w.int(i);
        },
        read(r) {
          const i = r.int();
          const s = symbols[i];
          if (s === undefined) throw new AvroDataError(`${where}: enum index ${i} does not exist in '${avro.name}'`);
          return s;
        },
      };
    }
    case 'bytes':
    case 'fixed': {
      const size = avro.kind === 'fixed' ? avro.size : undefined;
      if (logical === 'decimal') {
        if (type.name !== 'DECIMAL') throw mismatch();
        const precision = avro.precision!;
        const scale = avro.scale ?? 0;
        if (precision !== (type.precision ?? 10) || scale !== (type.scale ?? 0)) {
          throw new AvroSchemaError(`${where} is ${typeToString(type)}, but its Avro type is decimal(${precision}, ${scale})`);
        }
        return {
          write(w, v) {
            const unscaled = rescale(toScaled(v), scale);
            if (!fitsPrecision(unscaled, precision)) throw new AvroValueError(`${where}: ${String(v)} does not fit DECIMAL(${precision}, ${scale})`);
            if (size === undefined) w.bytesValue(twosComplement(unscaled));
            else {
              if (twosComplement(unscaled).length > size) throw new AvroValueError(`${where}: ${String(v)} does not fit a fixed of ${size} bytes`);
              w.raw(twosComplementOfSize(unscaled, size));
            }
          },
          read(r) {
            const unscaled = fromTwosComplement(size === undefined ? r.bytesValue() : r.raw(size));
            if (!fitsPrecision(unscaled, precision)) throw new AvroDataError(`${where}: the decimal has more than ${precision} digits`);
            return decimalValue(unscaled, scale);
          },
        };
      }
      if (type.name !== 'BYTES' || logical !== undefined) throw mismatch();
      if (size === undefined) return { write: (w, v) => w.bytesValue(v as Uint8Array), read: (r) => r.bytesValue() };
      return {
        write(w, v) {
          const b = v as Uint8Array;
          if (b.length !== size) throw new AvroValueError(`${where}: ${b.length} bytes, but the fixed '${(avro as { name: string }).name}' holds ${size}`);
          w.raw(b);
        },
        read: (r) => r.raw(size),
      };
    }
    case 'array': {
      if (type.name !== 'ARRAY') throw mismatch();
      const item = compileAvroCodec(avro.items, type.element!, `${where} (element)`);
      return {
        write(w, v) {
          const a = v as unknown[];
          if (a.length > 0) {
            w.long(a.length);
            for (const x of a) item.write(w, x);
          }
          w.long(0);
        },
        read(r) {
          const out: unknown[] = [];
          r.blocks(() => out.push(item.read(r)));
          return out;
        },
      };
    }
    case 'map': {
      if (type.name !== 'MAP' || type.key!.name !== 'STRING') throw mismatch();
      const value = compileAvroCodec(avro.values, type.value!, `${where} (value)`);
      return {
        write(w, v) {
          const m = v as Map<unknown, unknown>;
          if (m.size > 0) {
            w.long(m.size);
            for (const [k, x] of m) {
              if (k === null || k === undefined) throw new AvroValueError(`${where}: an Avro map has no NULL keys`);
              w.string(String(k));
              value.write(w, x);
            }
          }
          w.long(0);
        },
        read(r) {
          const out = new Map<unknown, unknown>();
          r.blocks(() => {
            const k = r.string();
            out.set(k, value.read(r));
          });
          return out;
        },
      };
    }
    case 'record': {
      if (type.name !== 'ROW') throw mismatch();
      const fields = compileRecordFields(avro, type.fields ?? [], where);
      return { write: (w, v) => writeFields(fields, w, v as unknown[]), read: (r) => readFields(fields, r) };
    }
    case 'null':
      throw new AvroSchemaError(`${where} is ${typeToString(type)}, but its Avro type is "null"`);
  }
}

/** The codecs of a record's fields, matched to `columns` by position and name. */
export function compileRecordFields(
  avro: Extract<AvroType, { kind: 'record' }>,
  columns: readonly { readonly name: string; readonly type: DataType }[],
  where: string,
): AvroValueCodec[] {
  if (avro.fields.length !== columns.length) {
    throw new AvroSchemaError(
      `${where}: the Avro record '${avro.name}' has ${avro.fields.length} fields (${avro.fields.map((f) => f.name).join(', ')}), but there are ${columns.length} columns (${columns.map((c) => c.name).join(', ')})`,
    );
  }
  return columns.map((c, i) => {
    const f = avro.fields[i]!;
    if (f.name !== c.name) throw new AvroSchemaError(`${where}: field ${i + 1} of the Avro record '${avro.name}' is '${f.name}', but column ${i + 1} is '${c.name}'`);
    return compileAvroCodec(f.type, c.type, where === 'the row' ? `column '${c.name}'` : `${where}.${c.name}`);
  });
}

export function writeFields(fields: readonly AvroValueCodec[], w: AvroWriter, row: readonly unknown[]): void {
  for (let i = 0; i < fields.length; i++) fields[i]!.write(w, row[i]);
}

export function readFields(fields: readonly AvroValueCodec[], r: AvroReader): unknown[] {
  const row = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++) row[i] = fields[i]!.read(r);
  return row;
}
