/**
 * Avro's binary encoding of primitive values (the Avro 1.11 specification, "Binary Encoding"): int and long as
 * zig-zag varints, float and double little-endian IEEE 754, bytes and string as a long length then the bytes,
 * and the block counts of arrays and maps. Records, unions, arrays and maps are composed of these by the codec
 * (avro-codec.ts).
 */

/** Data that is not valid Avro binary of the expected schema (truncated, a bad union index, ...). */
export class AvroDataError extends Error {}

const MASK64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Appends Avro binary values to a growing buffer. */
export class AvroWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  /** The bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  boolean(v: boolean): void {
    this.byte(v ? 1 : 0);
  }

  /** A 32-bit int: zig-zag, then a varint of 7-bit groups, least significant first. */
  int(v: number): void {
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    while (z > 0x7f) {
      this.byte((z & 0x7f) | 0x80);
      z >>>= 7;
    }
    this.byte(z);
  }

  /** A 64-bit long (a safe integer number or a bigint). */
  long(v: number | bigint): void {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= -0x40000000 && v < 0x40000000) {
      this.int(v);
      return;
    }
    const n = BigInt.asIntN(64, BigInt(v));
    let z = ((n << 1n) ^ (n >> 63n)) & MASK64;
    while (z > 0x7fn) {
      this.byte(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.byte(Number(z));
  }

  float(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  /** Raw bytes, without a length (a fixed). */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  bytesValue(b: Uint8Array): void {
    this.long(b.length);
    this.raw(b);
  }

  string(s: string): void {
    this.bytesValue(utf8.encode(s));
  }
}

/** Reads Avro binary values from bytes; throws {@link AvroDataError} on data that ends early or is malformed. */
export class AvroReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** True when every byte was read. */
  atEnd(): boolean {
    return this.pos === this.buf.length;
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new AvroDataError(`the data ends early (at byte ${this.buf.length}, ${n} more expected)`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  boolean(): boolean {
    const b = this.byte();
    if (b > 1) throw new AvroDataError(`a boolean byte is ${b}, not 0 or 1`);
    return b === 1;
  }

  int(): number {
    let z = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new AvroDataError('an int is longer than 5 bytes');
      const b = this.byte();
      z += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    if (z > 0xffffffff) throw new AvroDataError('an int is beyond 32 bits');
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A long as a bigint. */
  long(): bigint {
    let z = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (shift > 63n) throw new AvroDataError('a long is longer than 10 bytes');
      const b = this.byte();
      z |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    if (z > MASK64) throw new AvroDataError('a long is beyond 64 bits');
    return (z >> 1n) ^ -(z & 1n);
  }

  /** A long that is a count or length: a non-negative safe integer. */
  length(what: string): number {
    const n = this.long();
    if (n < 0n) throw new AvroDataError(`a ${what} length is negative (${n})`);
    if (n > BigInt(this.remaining())) throw new AvroDataError(`a ${what} of ${n} bytes is longer than the data left (${this.remaining()})`);
    return Number(n);
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  bytesValue(): Uint8Array {
    return this.raw(this.length('bytes'));
  }

  string(): string {
    const b = this.raw(this.length('string'));
    try {
      return strictUtf8.decode(b);
    } catch {
      throw new AvroDataError('a string is not valid UTF-8');
    }
  }

  /**
   * Reads the items of an array or map: blocks of a count then that many items, ended by a zero count; a
   * negative count -n is followed by the block's size in bytes, then n items.
   */
  blocks(readItem: () => void): void {
    for (;;) {
      let count = this.long();
      if (count === 0n) return;
      if (count < 0n) {
        count = -count;
        this.long(); // the block's size in bytes, for skipping
      }
      if (count > BigInt(this.remaining()) + 1n) throw new AvroDataError(`a block of ${count} items is longer than the data left`);
      for (let i = 0n; i < count; i++) readItem();
    }
  }
}

/** The unscaled value of a decimal as big-endian two's complement in the fewest bytes (Avro's decimal). */
export function twosComplement(n: bigint): Uint8Array {
  let size = 1;
  while (n < -(1n << BigInt(8 * size - 1)) || n >= 1n << BigInt(8 * size - 1)) size++;
  return twosComplementOfSize(n, size);
}

/** The unscaled value as big-endian two's complement in `size` bytes (a fixed decimal; the caller checks it fits). */
export function twosComplementOfSize(n: bigint, size: number): Uint8Array {
  let u = BigInt.asUintN(8 * size, n);
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}

/** The integer of big-endian two's complement bytes. */
export function fromTwosComplement(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let u = 0n;
  for (const x of b) u = (u << 8n) | BigInt(x);
  return BigInt.asIntN(8 * b.length, u);
}
