/** Turns a parsed type name with its parameters into a {@link DataType}, or says why it cannot. */
import { closestMatch } from '../common/errors.js';
import { T, withNullable, type DataType } from '../common/types.js';

/** A data type as written: the pieces the grammar found, before any checking. */
export interface TypeSpec {
  /** The type name, upper-cased (`VARCHAR`, `TIMESTAMP`). */
  readonly name: string;
  /** Numbers in `(p[, s])`. */
  readonly params: readonly number[];
  /** Type arguments in `<...>` or `(...)`: element, key/value or named ROW fields. */
  readonly args?: readonly { readonly name?: string; readonly type: DataType }[];
  /** `DOUBLE PRECISION`. */
  readonly precisionWord: boolean;
  /** `WITH LOCAL TIME ZONE` (true), `WITHOUT TIME ZONE` (false) or neither (undefined). */
  readonly localTimeZone?: boolean;
  readonly notNull: boolean;
}

/** Outcome of {@link resolveDataType}: the type, or a problem with an optional suggestion. */
export type TypeResolution =
  | { readonly ok: true; readonly type: DataType }
  | { readonly ok: false; readonly unknown: boolean; readonly message: string; readonly hint?: string };

/** Type names Eddy accepts (spelled as users write them), for suggestions. */
export const TYPE_NAMES: readonly string[] = [
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'FLOAT', 'REAL', 'DOUBLE', 'DECIMAL', 'DEC',
  'NUMERIC', 'STRING', 'VARCHAR', 'CHAR', 'BYTES', 'VARBINARY', 'BINARY', 'DATE', 'TIME', 'TIMESTAMP',
  'TIMESTAMP_LTZ', 'ARRAY', 'MAP', 'ROW', 'STRUCT',
];

const bad = (message: string): TypeResolution => ({ ok: false, unknown: false, message });

/** Checks a written type and builds the DataType (NOT NULL folded into `nullable`). */
export function resolveDataType(spec: TypeSpec): TypeResolution {
  const r = resolveBase(spec);
  if (!r.ok) return r;
  if (spec.precisionWord && spec.name !== 'DOUBLE') return bad(`PRECISION only follows DOUBLE, not ${spec.name}`);
  if (spec.localTimeZone !== undefined && spec.name !== 'TIMESTAMP' && spec.name !== 'TIME') {
    return bad(`${spec.name} has no time zone`);
  }
  return { ok: true, type: spec.notNull ? withNullable(r.type, false) : r.type };
}

function resolveBase(spec: TypeSpec): TypeResolution {
  const { name, params } = spec;
  const args = spec.args ?? [];
  const plain = (make: () => DataType, maxParams = 0): TypeResolution => {
    if (args.length > 0) return bad(`${name} takes no type arguments`);
    if (params.length > maxParams) {
      return bad(maxParams === 0 ? `${name} takes no parameters` : `${name} takes at most ${maxParams} parameter${maxParams > 1 ? 's' : ''}`);
    }
    return { ok: true, type: make() };
  };
  switch (name) {
    case 'BOOLEAN':
      return plain(T.boolean);
    case 'TINYINT':
      return plain(T.tinyint);
    case 'SMALLINT':
      return plain(T.smallint);
    case 'INT':
    case 'INTEGER':
      return plain(T.int);
    case 'BIGINT':
      return plain(T.bigint);
    case 'FLOAT':
    case 'REAL':
      return plain(T.float, 1);
    case 'DOUBLE':
      return plain(T.double);
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      const [p = 10, s = 0] = params;
      if (p < 1 || p > 38) return bad(`DECIMAL precision must be between 1 and 38, not ${p}`);
      if (s > p) return bad(`DECIMAL scale ${s} is larger than its precision ${p}`);
      return plain(() => T.decimal(p, s), 2);
    }
    case 'STRING':
      return plain(() => T.string());
    case 'VARCHAR':
    case 'CHAR':
    case 'CHARACTER':
      return plain(() => T.string(params[0]), 1);
    case 'BYTES':
    case 'VARBINARY':
    case 'BINARY':
      return plain(T.bytes, 1);
    case 'DATE':
      return plain(T.date);
    case 'TIME':
      return plain(() => T.time(params[0]), 1);
    case 'TIMESTAMP':
      return plain(() => (spec.localTimeZone === true ? T.timestampLtz(params[0]) : T.timestamp(params[0])), 1);
    case 'TIMESTAMP_LTZ':
      return plain(() => T.timestampLtz(params[0]), 1);
    case 'ARRAY':
      if (args.length !== 1 || args[0]!.name !== undefined || params.length > 0) return bad('ARRAY takes one element type: ARRAY<T>');
      return { ok: true, type: T.array(args[0]!.type) };
    case 'MAP':
      if (args.length !== 2 || args.some((a) => a.name !== undefined) || params.length > 0) {
        return bad('MAP takes a key and a value type: MAP<K, V>');
      }
      return { ok: true, type: T.map(args[0]!.type, args[1]!.type) };
    case 'ROW':
    case 'STRUCT': // ksqlDB's name for ROW
      if (params.length > 0 || args.some((a) => a.name === undefined)) return bad(`${name} fields need names: ${name}<name TYPE, ...>`);
      return { ok: true, type: T.row(args.map((a) => ({ name: a.name!, type: a.type }))) };
    default: {
      const match = closestMatch(name, TYPE_NAMES) ?? closestMatch(name.replace(/S$/, ''), TYPE_NAMES);
      return {
        ok: false,
        unknown: true,
        message: `Unknown type '${name}'`,
        hint: match === undefined ? undefined : `did you mean \`${match}\`?`,
      };
    }
  }
}
