/**
 * The Postgres frontend/backend protocol (version 3.0) as bytes: framing of incoming messages, decoding of
 * the frontend messages a server receives, and encoding of the backend messages it sends. No I/O and no
 * state beyond the frame buffer; pg-wire.ts drives the conversation.
 *
 * Why hand-written: the Node server-side libraries checked (pg-gateway 0.2, pg-server 0.1) stop at startup
 * and authentication or mis-handle SSLRequest and Bind's result formats, and none decodes the extended
 * protocol; the format itself is small and fixed (https://www.postgresql.org/docs/current/protocol-message-formats.html).
 */

/** Request codes sent in place of a protocol version in the first message. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** The first message of a connection. */
export type InitialMessage =
  | { readonly kind: 'ssl' }
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: number }
  | { readonly kind: 'startup'; readonly parameters: Readonly<Record<string, string>> }
  | { readonly kind: 'unsupported'; readonly version: number };

/** A frontend message after startup. */
export type FrontendMessage =
  | { readonly kind: 'query'; readonly sql: string }
  | { readonly kind: 'parse'; readonly name: string; readonly sql: string; readonly parameterTypes: readonly number[] }
  | {
      readonly kind: 'bind';
      readonly portal: string;
      readonly statement: string;
      /** Each value: text (format 0), bytes (format 1) or null. */
      readonly values: readonly (string | Uint8Array | null)[];
      /** Result column format codes: empty = all text, one = for all, else one per column. */
      readonly resultFormats: readonly number[];
    }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'execute'; readonly portal: string; readonly maxRows: number }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'sync' }
  | { readonly kind: 'flush' }
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'other'; readonly code: string };

/** A malformed message: the connection cannot go on. */
export class ProtocolError extends Error {}

/** Reads fields from one message body. */
class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) throw new ProtocolError('unterminated string in message');
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  byte(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new ProtocolError('message is shorter than its fields');
  }
}

/** Largest message accepted unless the decoder is told otherwise (Postgres allows 1 GB; Eddy needs far less). */
const MAX_MESSAGE = 64 * 1024 * 1024;

/**
 * Cuts the byte stream into messages. The first message has no type byte (length, then body); every later
 * one is a type byte, a length that counts itself, and the body. Incoming chunks are kept as they come and
 * joined once per message, so a message trickled byte by byte costs linear time, not quadratic.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private length = 0;
  /** False until the startup message has been read (SSL and GSS requests keep it false). */
  started = false;
  /** Largest message length accepted; a longer one is refused as soon as its length is read. */
  maxMessage = MAX_MESSAGE;

  /** Adds bytes; returns the complete messages now available (`type` is '' for initial messages). */
  push(chunk: Buffer): { type: string; body: Buffer }[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    const out: { type: string; body: Buffer }[] = [];
    for (;;) {
      const header = this.started ? 5 : 4;
      if (this.length < header) break;
      const head = this.peek(header);
      const length = head.readInt32BE(header - 4);
      if (length < 4) throw new ProtocolError(`invalid message length ${length}`);
      if (length > this.maxMessage) throw new ProtocolError(`message of ${length} bytes is longer than the ${this.maxMessage} allowed here`);
      const total = header - 4 + length;
      if (this.length < total) break;
      const frame = this.take(total);
      const type = this.started ? String.fromCharCode(frame[0]!) : '';
      const body = frame.subarray(header);
      out.push({ type, body });
      // Everything after a startup message is typed; a request (SSL, GSS) leaves the next one untyped.
      if (!this.started) {
        const code = body.length >= 4 ? body.readInt32BE(0) : 0;
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.started = true;
      }
    }
    return out;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.length;
  }

  /** The first `n` buffered bytes (n ≤ length), without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const head = Buffer.alloc(n);
    let at = 0;
    for (const c of this.chunks) {
      at += c.copy(head, at, 0, Math.min(c.length, n - at));
      if (at === n) break;
    }
    return head;
  }

  /** Removes and returns the first `n` buffered bytes (n ≤ length) as one buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      let used = 0; // chunks consumed whole (removed at once: shifting one by one is quadratic)
      while (at < n) {
        const c = this.chunks[used]!;
        const k = Math.min(c.length, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.length) used++;
        else this.chunks[used] = c.subarray(k);
      }
      this.chunks.splice(0, used);
    }
    this.length -= n;
    return out;
  }
}

/** Decodes the first message of a connection (its body, after the length). */
export function decodeInitial(body: Buffer): InitialMessage {
  const r = new Reader(body);
  const code = r.int32();
  if (code === SSL_REQUEST) return { kind: 'ssl' };
  if (code === GSSENC_REQUEST) return { kind: 'gssenc' };
  if (code === CANCEL_REQUEST) return { kind: 'cancel', processId: r.int32(), secretKey: r.int32() };
  if (code !== PROTOCOL_3) return { kind: 'unsupported', version: code };
  const parameters: Record<string, string> = {};
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    parameters[name] = r.cstring();
  }
  return { kind: 'startup', parameters };
}

/** Decodes a typed frontend message. */
export function decodeFrontend(type: string, body: Buffer): FrontendMessage {
  const r = new Reader(body);
  switch (type) {
    case 'Q':
      return { kind: 'query', sql: r.cstring() };
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      const parameterTypes: number[] = [];
      for (let i = 0; i < n; i++) parameterTypes.push(r.int32() >>> 0);
      return { kind: 'parse', name, sql, parameterTypes };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const nFormats = r.int16();
      const formats: number[] = [];
      for (let i = 0; i < nFormats; i++) formats.push(r.int16());
      const nValues = r.int16();
      const values: (string | Uint8Array | null)[] = [];
      for (let i = 0; i < nValues; i++) {
        const len = r.int32();
        if (len < 0) {
          values.push(null);
          continue;
        }
        const bytes = r.bytes(len);
        const format = nFormats === 0 ? 0 : nFormats === 1 ? formats[0]! : (formats[i] ?? 0);
        values.push(format === 1 ? new Uint8Array(bytes) : bytes.toString('utf8'));
      }
      const nResult = r.int16();
      const resultFormats: number[] = [];
      for (let i = 0; i < nResult; i++) resultFormats.push(r.int16());
      return { kind: 'bind', portal, statement, values, resultFormats };
    }
    case 'D':
    case 'C': {
      const target = String.fromCharCode(r.byte());
      if (target !== 'S' && target !== 'P') throw new ProtocolError(`invalid ${type === 'D' ? 'Describe' : 'Close'} target '${target}'`);
      const name = r.cstring();
      return type === 'D' ? { kind: 'describe', target, name } : { kind: 'close', target, name };
    }
    case 'E':
      return { kind: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 'S':
      return { kind: 'sync' };
    case 'H':
      return { kind: 'flush' };
    case 'p':
      return { kind: 'password', password: r.cstring() };
    case 'X':
      return { kind: 'terminate' };
    default:
      return { kind: 'other', code: type };
  }
}

/** Builds one backend message: a type byte, a length, the fields. */
class MessageBuilder {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly type: string) {}

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.add(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v | 0);
    return this.add(b);
  }

  cstring(s: string): this {
    return this.add(Buffer.from(s.replace(/\0/g, ''), 'utf8')).add(Buffer.from([0]));
  }

  add(b: Buffer): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  build(): Buffer {
    const header = Buffer.alloc(5);
    header.write(this.type, 0, 'latin1');
    header.writeInt32BE(this.size + 4, 1);
    return Buffer.concat([header, ...this.parts], 5 + this.size);
  }
}

/** A column of a RowDescription. */
export interface ColumnDescription {
  readonly name: string;
  readonly oid: number;
  readonly size: number;
  readonly modifier: number;
}

/** Fields of an ErrorResponse or NoticeResponse (https://www.postgresql.org/docs/current/protocol-error-fields.html). */
export interface ErrorFields {
  readonly severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  /** SQLSTATE. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the query string. */
  readonly position?: number;
}

/** Encoders of the backend messages the server sends. */
export const backend = {
  authenticationOk: (): Buffer => new MessageBuilder('R').int32(0).build(),
  authenticationCleartextPassword: (): Buffer => new MessageBuilder('R').int32(3).build(),
  authenticationMd5Password: (salt: Buffer): Buffer => new MessageBuilder('R').int32(5).add(salt).build(),
  parameterStatus: (name: string, value: string): Buffer => new MessageBuilder('S').cstring(name).cstring(value).build(),
  backendKeyData: (processId: number, secretKey: number): Buffer => new MessageBuilder('K').int32(processId).int32(secretKey).build(),
  readyForQuery: (status: 'I' | 'T' | 'E'): Buffer => new MessageBuilder('Z').add(Buffer.from(status, 'latin1')).build(),
  rowDescription(columns: readonly ColumnDescription[]): Buffer {
    const m = new MessageBuilder('T').int16(columns.length);
    for (const c of columns) m.cstring(c.name).int32(0).int16(0).int32(c.oid).int16(c.size).int32(c.modifier).int16(0);
    return m.build();
  },
  dataRow(values: readonly (string | null)[]): Buffer {
    const m = new MessageBuilder('D').int16(values.length);
    for (const v of values) {
      if (v === null) m.int32(-1);
      else {
        const b = Buffer.from(v, 'utf8');
        m.int32(b.length).add(b);
      }
    }
    return m.build();
  },
  commandComplete: (tag: string): Buffer => new MessageBuilder('C').cstring(tag).build(),
  emptyQueryResponse: (): Buffer => new MessageBuilder('I').build(),
  parseComplete: (): Buffer => new MessageBuilder('1').build(),
  bindComplete: (): Buffer => new MessageBuilder('2').build(),
  closeComplete: (): Buffer => new MessageBuilder('3').build(),
  noData: (): Buffer => new MessageBuilder('n').build(),
  portalSuspended: (): Buffer => new MessageBuilder('s').build(),
  parameterDescription(oids: readonly number[]): Buffer {
    const m = new MessageBuilder('t').int16(oids.length);
    for (const oid of oids) m.int32(oid);
    return m.build();
  },
  errorResponse: (fields: ErrorFields): Buffer => errorLike('E', fields),
  noticeResponse: (fields: ErrorFields): Buffer => errorLike('N', fields),
};

function errorLike(type: 'E' | 'N', f: ErrorFields): Buffer {
  const m = new MessageBuilder(type);
  const field = (code: string, value: string | undefined) => {
    if (value !== undefined) m.add(Buffer.from(code, 'latin1')).cstring(value);
  };
  field('S', f.severity);
  field('V', f.severity);
  field('C', f.code);
  field('M', f.message);
  field('D', f.detail);
  field('H', f.hint);
  field('P', f.position === undefined ? undefined : String(f.position));
  m.add(Buffer.from([0]));
  return m.build();
}
