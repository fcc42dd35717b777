/**
 * A compact binary encoding of plain data (what the state codecs produce: null, booleans, numbers, strings,
 * arrays and plain objects), used for state keys, namespaces and values in the SQLite store. It replaces
 * JSON text: cheaper to write and read, and smaller on disk (a small integer takes 1-3 bytes).
 *
 * The encoding of a value is canonical (one value, one byte string), so encoded keys and namespaces can be
 * compared for equality in SQL; -0 as a key or namespace is written as 0, which is the same key in a JS Map.
 *
 * Tags: 0 null, 1 false, 2 true, 3 non-negative integer (varint), 4 negative integer (varint of -n),
 * 5 float64 (LE), 6 string (varint byte length, UTF-8), 7 array (varint count, items), 8 object (varint
 * count, then per property a string without its tag and the value). `undefined` is written as null.
 */

const T_NULL = 0;
const T_FALSE = 1;
const T_TRUE = 2;
const T_UINT = 3;
const T_NINT = 4;
const T_F64 = 5;
const T_STR = 6;
const T_ARR = 7;
const T_OBJ = 8;

const MAX_VARINT = Number.MAX_SAFE_INTEGER;

/** A float64's bytes, little endian (what `writeDoubleLE` writes, without its checks: checkpoints write many). */
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The most bytes {@link putNumber} writes: a tag and a float64, or a tag and a varint up to 2^53. */
const NUMBER_BYTES = 9;

/**
 * Writes `v` as {@link PackWriter.number} does into `b` at `p` (NUMBER_BYTES of room already ensured) and
 * returns the position after it. The writers below keep their position in locals while they call these.
 */
function putNumber(b: Buffer, p: number, v: number): number {
  // Small non-negative integers (counts, most keys) first; -0 is not one of them.
  if (v > 0 ? v < 0x80 && (v | 0) === v : v === 0 && 1 / v > 0) {
    b[p] = T_UINT;
    b[p + 1] = v;
    return p + 2;
  }
  if (Number.isInteger(v) && v <= MAX_VARINT && v >= -MAX_VARINT && !(v === 0 && 1 / v < 0)) {
    if (v >= 0) {
      b[p] = T_UINT;
      return putVarintAt(b, p + 1, v);
    }
    b[p] = T_NINT;
    return putVarintAt(b, p + 1, -v);
  }
  b[p] = T_F64;
  return putF64At(b, p + 1, v);
}

/** Writes an array header (see {@link PackWriter.arrayHeader}) at `p` (9 bytes of room) and returns the position after it. */
function putArrayHeader(b: Buffer, p: number, n: number): number {
  b[p] = T_ARR;
  if (n < 0x80) {
    b[p + 1] = n;
    return p + 2;
  }
  return putVarintAt(b, p + 1, n);
}

/** A varint at `p` (8 bytes of room: enough up to 2^53); returns the position after it. */
function putVarintAt(b: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    b[p++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  b[p++] = n;
  return p;
}

/** A float64 at `p` (8 bytes of room), little endian; returns the position after it. */
function putF64At(b: Buffer, p: number, v: number): number {
  if (!LITTLE_ENDIAN) {
    b.writeDoubleLE(v, p);
    return p + 8;
  }
  F64[0] = v;
  b[p] = F64_BYTES[0]!;
  b[p + 1] = F64_BYTES[1]!;
  b[p + 2] = F64_BYTES[2]!;
  b[p + 3] = F64_BYTES[3]!;
  b[p + 4] = F64_BYTES[4]!;
  b[p + 5] = F64_BYTES[5]!;
  b[p + 6] = F64_BYTES[6]!;
  b[p + 7] = F64_BYTES[7]!;
  return p + 8;
}

/** Appends encoded data to a growing buffer; reuse one writer and {@link reset} it between batches. */
export class PackWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Writes `v` as a u32 at `at` (already ensured). */
  protected putU32(v: number, at: number): void {
    const b = this.buf;
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = v >>> 24;
  }

  f64(v: number): void {
    this.ensure(8);
    this.pos = putF64At(this.buf, this.pos, v);
  }

  varint(n: number): void {
    this.ensure(8);
    this.pos = putVarintAt(this.buf, this.pos, n);
  }

  /** A string with its byte length in front (no tag). */
  str(s: string): void {
    // Short strings: at most 3 bytes per UTF-16 unit, length known after writing (1-byte varint up to 127).
    const length = s.length;
    if (length < 42) {
      this.ensure(1 + length * 3);
      const b = this.buf;
      const start = this.pos + 1;
      // ASCII (most keys, names, the namespace ''): byte by byte, cheaper than a call into the runtime.
      let i = 0;
      while (i < length) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i++] = c;
      }
      const n = i === length ? length : b.write(s, start, 'utf8');
      b[this.pos] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  /** The header of an array of `n` items (the items follow, each as a {@link value}). */
  arrayHeader(n: number): void {
    this.ensure(9);
    this.pos = putArrayHeader(this.buf, this.pos, n);
  }

  /** The header of an object of `n` properties (each follows as a {@link str} name, then a {@link value}). */
  objectHeader(n: number): void {
    this.u8(T_OBJ);
    this.varint(n);
  }

  /** A number, as {@link value} writes it: an integer as a varint (-0 as a float), else a float64. */
  number(v: number): void {
    this.ensure(NUMBER_BYTES);
    this.pos = putNumber(this.buf, this.pos, v);
  }

  /*
   * Runs of writes on a local position (checkpoints write every changed entry: this keeps the position in a
   * register instead of a field): each `...At(p, ..)` writes at `p`, growing the buffer if needed, and
   * returns the position after it without updating `pos`; set `pos` to the last one returned before any
   * other write.
   */

  /** {@link number} at `p`. */
  numberAt(p: number, v: number): number {
    if (p + NUMBER_BYTES > this.buf.length) this.grow(p, NUMBER_BYTES);
    return putNumber(this.buf, p, v);
  }

  /** {@link arrayHeader} at `p`. */
  arrayHeaderAt(p: number, n: number): number {
    if (p + 9 > this.buf.length) this.grow(p, 9);
    return putArrayHeader(this.buf, p, n);
  }

  /** {@link f64} at `p`. */
  f64At(p: number, v: number): number {
    if (p + 8 > this.buf.length) this.grow(p, 8);
    return putF64At(this.buf, p, v);
  }

  /** Room for `n` bytes at `p`, the end of what was written. */
  private grow(p: number, n: number): void {
    this.pos = p;
    this.ensure(n);
  }

  /** Any plain data value. */
  value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        this.number(v);
        return;
      case 'string':
        this.u8(T_STR);
        this.str(v);
        return;
      case 'boolean':
        this.u8(v ? T_TRUE : T_FALSE);
        return;
      case 'undefined':
        this.u8(T_NULL);
        return;
      case 'object':
        if (v === null) {
          this.u8(T_NULL);
          return;
        }
        if (Array.isArray(v)) {
          this.arrayHeader(v.length);
          for (let i = 0; i < v.length; i++) this.value(v[i]);
          return;
        }
        {
          const keys = Object.keys(v);
          this.objectHeader(keys.length);
          for (const k of keys) {
            this.str(k);
            this.value((v as Record<string, unknown>)[k]);
          }
        }
        return;
      default:
        throw new Error(`cannot store a value of type ${typeof v} in state`);
    }
  }

  /** A key or namespace: as {@link value}, but -0 is written as 0 (the same Map key). */
  key(v: unknown): void {
    this.value(Object.is(v, -0) ? 0 : v);
  }
}

/** Reads data written by {@link PackWriter}. */
export class PackReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  static decode(buf: Buffer): unknown {
    return new PackReader(buf).value();
  }

  varint(): number {
    const b = this.buf;
    let n = 0;
    let scale = 1;
    for (;;) {
      const byte = b[this.pos++]!;
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 0x80;
    }
  }

  str(): string {
    const n = this.varint();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  value(): unknown {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_UINT:
        return this.varint();
      case T_NINT:
        return -this.varint();
      case T_F64: {
        const v = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        return v;
      }
      case T_STR:
        return this.str();
      case T_ARR: {
        const n = this.varint();
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      case T_OBJ: {
        const n = this.varint();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.str();
          // defineProperty: even a key named `__proto__` stays an own property.
          Object.defineProperty(out, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      default:
        throw new Error(`corrupt state entry: unknown tag ${tag} at byte ${this.pos - 1}`);
    }
  }
}

const scratch = new PackWriter(256);

/** Encodes one value into a new Buffer. */
export function pack(v: unknown): Buffer {
  scratch.reset();
  scratch.value(v);
  return Buffer.from(scratch.bytes());
}

/** Encodes a key or namespace (canonical, -0 as 0) into a new Buffer. */
export function packKey(v: unknown): Buffer {
  scratch.reset();
  scratch.key(v);
  return Buffer.from(scratch.bytes());
}

/** Decodes a value written by {@link pack}. */
export function unpack(buf: Buffer): unknown {
  return PackReader.decode(buf);
}
