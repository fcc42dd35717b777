/**
 * ksqlDB's string and value functions that Flink does not have under the same name: AS_VALUE, UCASE, LCASE,
 * LEN, SPLIT, the MASK family and EXTRACTJSONFIELD. (CONCAT_WS, INSTR, LPAD/RPAD, IFNULL and SUBSTRING are
 * shared with Flink: see strings.ts and conditional.ts.) Where ksqlDB's function fails on a value (a bad
 * JSON text, a negative count), the result is NULL: ksqlDB logs the error and evaluates the expression to
 * NULL, and so does Eddy (without the log).
 */
import { T, withNullable, withoutTimeAttribute } from '../../common/types.js';
import type { Resolution, ResolvedScalar, ScalarFunctionDef } from '../function-types.js';
import { checkArity, checkKinds, fixed, shown } from './define.js';
import { charLength } from './strings.js';

const STRING = T.string();
const INT = T.int();

/** AS_VALUE(x): x itself (in ksqlDB it copies a key column into the value; Eddy's rows have no such split). */
const asValue: ScalarFunctionDef = {
  name: 'AS_VALUE',
  description: 'AS_VALUE(x) – x itself: copies a key column into the value (ksqlDB)',
  resolve(argTypes): Resolution<ResolvedScalar> {
    const error = checkArity('AS_VALUE', argTypes, 1, 1);
    if (error) return { error };
    return { type: withoutTimeAttribute(argTypes[0]!), impl: (v: unknown) => v, strict: true, deterministic: true };
  },
};

/** LEN(s) – characters of a STRING, bytes of a BYTES value. */
const len: ScalarFunctionDef = {
  name: 'LEN',
  description: 'LEN(s) – number of characters of a STRING, or of bytes of a BYTES value',
  resolve(argTypes): Resolution<ResolvedScalar> {
    const error = checkArity('LEN', argTypes, 1, 1);
    if (error) return { error };
    const t = argTypes[0]!;
    const type = withNullable(INT, t.nullable);
    if (t.name === 'BYTES') return { type, impl: (b: Uint8Array) => b.length, strict: true, deterministic: true };
    if (t.name !== 'STRING' && t.name !== 'NULL') return { error: `LEN expects a STRING or BYTES argument, got ${shown(t)}` };
    return { type, impl: charLength, strict: true, deterministic: true };
  },
};

/**
 * SPLIT(s, delimiter): the parts of s between delimiters, empty parts kept; an empty delimiter splits
 * into characters.
 */
export function split(s: string, delimiter: string): string[] {
  if (delimiter === '') return s === '' ? [''] : Array.from(s);
  return s.split(delimiter);
}

/** What a character becomes: upper-case, lower-case, digit, other; NULL keeps the character. */
type MaskChars = readonly [string | null, string | null, string | null, string | null];

const DEFAULT_MASK: MaskChars = ['X', 'x', 'n', '-'];

function maskChar(c: string, m: MaskChars): string {
  let replacement: string | null;
  if (/\p{Lu}/u.test(c)) replacement = m[0];
  else if (/\p{Ll}/u.test(c)) replacement = m[1];
  else if (/\p{Nd}/u.test(c)) replacement = m[2];
  else replacement = m[3];
  return replacement === null ? c : replacement.slice(0, 1) || c;
}

/** Masks the characters [from, to) of `chars`. */
function maskRange(chars: string[], from: number, to: number, m: MaskChars): string {
  let out = '';
  for (let i = 0; i < chars.length; i++) out += i >= from && i < to ? maskChar(chars[i]!, m) : chars[i];
  return out;
}

/** The mask characters from optional arguments: left out → ksqlDB's default, NULL → no masking. */
function maskChars(args: readonly (string | null | undefined)[]): MaskChars {
  return [0, 1, 2, 3].map((i) => (args[i] === undefined ? DEFAULT_MASK[i]! : args[i]!)) as unknown as MaskChars;
}

type MaskPart = 'all' | 'left' | 'right' | 'keep-left' | 'keep-right';

/** Which characters [from, to) of a string of `n` characters a MASK function masks. */
function maskBounds(part: MaskPart, n: number, count: number): [number, number] {
  switch (part) {
    case 'all':
      return [0, n];
    case 'left':
      return [0, count];
    case 'right':
      return [n - count, n];
    case 'keep-left':
      return [count, n];
    case 'keep-right':
      return [0, n - count];
  }
}

/** MASK(s[, upper, lower, digit, other]) and MASK_LEFT/RIGHT/KEEP_LEFT/KEEP_RIGHT(s, n[, ...]). */
function maskFunction(name: string, part: MaskPart, what: string): ScalarFunctionDef {
  const counted = part !== 'all';
  const params = counted ? 2 : 1;
  return {
    name,
    description: `${name}(s${counted ? ', n' : ''}[, upper, lower, digit, other]) – ${what} (defaults 'X', 'x', 'n', '-'; a NULL mask character leaves those characters as they are)`,
    resolve(argTypes): Resolution<ResolvedScalar> {
      const error = checkArity(name, argTypes, params, params + 4) ?? checkKinds(name, argTypes, counted ? ['STRING', 'INTEGER', 'STRING'] : ['STRING']);
      if (error) return { error };
      const impl = (s: string | null, ...rest: unknown[]): string | null => {
        if (s === null) return null;
        const count = counted ? (rest[0] as number | null) : 0;
        if (count === null || count < 0) return null;
        const m = maskChars((counted ? rest.slice(1) : rest) as (string | null)[]);
        const chars = Array.from(s);
        const [from, to] = maskBounds(part, chars.length, count);
        return maskRange(chars, from, to, m);
      };
      return { type: withNullable(STRING, true), impl, strict: false, deterministic: true };
    },
  };
}

/** One step of a JSON path: an object field or an array index. */
type PathStep = string | number;

/**
 * Reads the JSONPath subset EXTRACTJSONFIELD takes: `$`, then `.field`, `['field']` / `["field"]` and
 * `[index]` steps. Returns undefined for anything else (wildcards, filters), which select several values.
 */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[^.[\]*]+/.exec(path.slice(i + 1));
      if (!m) return undefined;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      const m = /^\[(?:(\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/.exec(path.slice(i));
      if (!m) return undefined;
      steps.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? m[3])!.replace(/\\(.)/g, '$1'));
      i += m[0].length;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** EXTRACTJSONFIELD(json, path): the value at path as text (a string as it is, anything else as JSON). */
export function extractJsonField(json: string, steps: readonly PathStep[]): string | null {
  let node: unknown;
  try {
    node = JSON.parse(json);
  } catch {
    return null;
  }
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return null;
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return null;
      node = node[step];
    } else {
      if (Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, step)) return null;
      node = (node as Record<string, unknown>)[step];
    }
  }
  if (node === null || node === undefined) return null;
  return typeof node === 'string' ? node : JSON.stringify(node);
}

const extractJsonFieldFunction: ScalarFunctionDef = {
  name: 'EXTRACTJSONFIELD',
  description: "EXTRACTJSONFIELD(json, '$.a.b[0]') – the value at a JSONPath of a JSON text, as a STRING; NULL when absent or not JSON",
  resolve(argTypes, _env, site): Resolution<ResolvedScalar> {
    const error = checkArity('EXTRACTJSONFIELD', argTypes, 2, 2) ?? checkKinds('EXTRACTJSONFIELD', argTypes, ['STRING']);
    if (error) return { error };
    const literal = site.literalArgs[1];
    if (typeof literal === 'string') {
      const steps = parseJsonPath(literal);
      if (steps === undefined) return { error: `EXTRACTJSONFIELD: unsupported JSON path '${literal}'`, hint: "use $.field, $['field'] and $[index] steps" };
      return { type: withNullable(STRING, true), impl: (j: string) => extractJsonField(j, steps), strict: true, deterministic: true };
    }
    const impl = (j: string, p: string) => {
      const steps = parseJsonPath(p);
      return steps === undefined ? null : extractJsonField(j, steps);
    };
    return { type: withNullable(STRING, true), impl, strict: true, deterministic: true };
  },
};

/** ksqlDB's string and value functions. */
export const ksqlStringFunctions: readonly ScalarFunctionDef[] = [
  asValue,
  fixed('UCASE', 'UCASE(s) – s in upper case (ksqlDB; same as UPPER)', ['STRING'], STRING, (s: string) => s.toUpperCase()),
  fixed('LCASE', 'LCASE(s) – s in lower case (ksqlDB; same as LOWER)', ['STRING'], STRING, (s: string) => s.toLowerCase()),
  len,
  fixed('SPLIT', 'SPLIT(s, delimiter) – the parts of s between delimiters as an ARRAY (an empty delimiter splits into characters)', ['STRING', 'STRING'], T.array(withNullable(STRING, false)), split),
  maskFunction('MASK', 'all', 's with every character masked'),
  maskFunction('MASK_LEFT', 'left', 's with its first n characters masked'),
  maskFunction('MASK_RIGHT', 'right', 's with its last n characters masked'),
  maskFunction('MASK_KEEP_LEFT', 'keep-left', 's masked except its first n characters'),
  maskFunction('MASK_KEEP_RIGHT', 'keep-right', 's masked except its last n characters'),
  extractJsonFieldFunction,
];
