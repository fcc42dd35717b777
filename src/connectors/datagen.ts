/** Flink's `datagen` source: random or sequence values for every column, at a given rate. */
import type { ConnectorContext, ConnectorFactory, OptionSpec, SourceChunk, SourceReader } from '../runtime/connector.js';
import type { Row } from '../runtime/changelog.js';
import { EddyError, ErrorCode } from '../common/errors.js';
import { typeToString, type DataType, type Field } from '../common/types.js';
import { MIN_TIMESTAMP_MS, roundToScale } from './formats/convert-value.js';
import { parseDuration } from './option-values.js';
import { InterruptibleSleep } from './interruptible-sleep.js';

const OPTIONS: readonly OptionSpec[] = [
  { key: 'rows-per-second', description: 'Rows generated per second.', defaultValue: '10000' },
  { key: 'number-of-rows', description: 'Total rows to generate; the source is unbounded when unset.' },
  { key: 'seed', description: 'Seed of the random generator: the same seed gives the same values (Eddy).' },
  { key: 'fields.#.kind', description: "How the column's values are made.", defaultValue: 'random', values: ['random', 'sequence'] },
  { key: 'fields.#.min', description: 'Smallest random value (numeric columns).' },
  { key: 'fields.#.max', description: 'Largest random value (numeric columns).' },
  { key: 'fields.#.max-past', description: 'Random timestamps and dates lie up to this far before now.', defaultValue: '0' },
  { key: 'fields.#.length', description: 'Length of random strings and bytes.', defaultValue: '100' },
  { key: 'fields.#.start', description: 'First value of a sequence.' },
  { key: 'fields.#.end', description: 'Last value of a sequence; the source ends after it.' },
  { key: 'fields.#.null-rate', description: 'Fraction of NULL values (nullable columns).', defaultValue: '0' },
];

const FIELD_KEYS = new Set(['kind', 'min', 'max', 'max-past', 'length', 'start', 'end', 'null-rate']);
const MS_PER_DAY = 86_400_000;
const MAX_CHUNK = 5000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const INTEGER_RANGES: Partial<Record<string, [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * mulberry32: a small, fast 32-bit PRNG (period 2^32), good enough for test data. `next` gives floats in
 * [0, 1); `state` (a uint32) can be saved and set to continue the sequence exactly.
 */
export class Mulberry32 {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  readonly next = (): number => {
    const a = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A mulberry32 generator as a function giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  return new Mulberry32(seed).next;
}

/**
 * Where a datagen source stands (plain JSON): rows emitted so far, the next value of each sequence column
 * (null for random columns), and the random generator's state.
 */
export interface DataGenPosition {
  readonly rows: number;
  readonly sequences: readonly (number | null)[];
  readonly rng: number;
}

type Generator = () => unknown;

interface ColumnGenerator {
  readonly next: Generator;
  /** Sequences only: true once the last value was produced. */
  exhausted(): boolean;
  /** Sequences only: the next value, to save and restore. */
  current?: number;
}

function invalid(message: string): never {
  throw new EddyError({ code: ErrorCode.INVALID_OPTION, message });
}

/**
 * The `datagen` source. Columns are `random` (uniform in [min, max]; strings of `length` letters and
 * digits; TIMESTAMP values are now minus up to `max-past`) or `sequence` (start..end, then the source
 * ends). Numeric defaults: an integral type's full range (BIGINT: the safe-integer range); FLOAT/DOUBLE
 * [0, 1e6]; DECIMAL(p, s) [0, 10^(p-s)). With the Eddy option `seed`, values are reproducible (mulberry32);
 * timestamps still follow the clock. Rows come in chunks of rows-per-second/10, paced by timers.
 *
 * `position()` is the rows emitted, each sequence's next value and the generator's state: restored from it,
 * the source continues the sequences and the row count (`number-of-rows` counts the rows of all runs), and
 * the random values continue exactly where they stopped, so with a `seed` the rows after a restore are
 * those an uninterrupted run would have produced (apart from clock-based timestamps).
 */
export class DataGenSourceReader implements SourceReader {
  readonly bounded: boolean;
  private readonly columns: ColumnGenerator[];
  private readonly rowsPerSecond: number;
  private readonly limit: number;
  private readonly chunkSize: number;
  private readonly rng: Mulberry32;
  private produced = 0;
  /** Pacing: when this run started and the rows produced by then (a restored run starts with some). */
  private startedAt = -1;
  private producedAtStart = 0;
  private done = false;
  private closed = false;
  private readonly timer = new InterruptibleSleep();

  constructor(private readonly ctx: ConnectorContext) {
    const o = ctx.options;
    const seed = o['seed'] === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(o['seed']);
    if (!Number.isFinite(seed)) invalid(`Option 'seed' must be a number, got '${o['seed']}'`);
    this.rng = new Mulberry32(seed);
    const rand = this.rng.next;
    this.rowsPerSecond = Number(o['rows-per-second'] ?? 10000);
    if (!(this.rowsPerSecond > 0)) invalid(`Option 'rows-per-second' must be a positive number, got '${o['rows-per-second']}'`);
    this.limit = o['number-of-rows'] === undefined ? Infinity : Number(o['number-of-rows']);
    this.chunkSize = Math.max(1, Math.min(MAX_CHUNK, Math.ceil(this.rowsPerSecond / 10)));
    const names = new Set(ctx.schema.map((f) => f.name));
    for (const key of Object.keys(o)) {
      const m = /^fields\.(.+)\.([a-z-]+)$/.exec(key);
      if (m && FIELD_KEYS.has(m[2]!) && !names.has(m[1]!)) {
        invalid(`Option '${key}' of table \`${ctx.tableName}\` names no column: the columns are ${[...names].join(', ')}`);
      }
    }
    this.columns = ctx.schema.map((f) => this.columnGenerator(f, rand));
    this.bounded = this.limit !== Infinity || ctx.schema.some((f) => o[`fields.${f.name}.kind`]?.toLowerCase() === 'sequence');
    if (ctx.restored !== undefined && ctx.restored !== null) this.restore(ctx.restored);
  }

  /** Where the source stands (plain data, for checkpoints). */
  position(): DataGenPosition {
    return { rows: this.produced, sequences: this.columns.map((c) => c.current ?? null), rng: this.rng.state };
  }

  private restore(restored: unknown): void {
    const p = restored as Partial<DataGenPosition>;
    const ok =
      typeof p === 'object' &&
      Number.isInteger(p.rows) &&
      Number.isInteger(p.rng) &&
      Array.isArray(p.sequences) &&
      p.sequences.length === this.columns.length &&
      p.sequences.every((v, i) => (v === null) === (this.columns[i]!.current === undefined) && (v === null || typeof v === 'number'));
    if (!ok) {
      throw new EddyError({
        code: ErrorCode.INVALID_STATEMENT,
        message: `Table \`${this.ctx.tableName}\`: the checkpointed position of the datagen source does not match its columns: ${JSON.stringify(restored).slice(0, 100)}`,
        hint: 'start the job without restoring its state',
      });
    }
    this.produced = p.rows!;
    this.rng.state = p.rng! >>> 0;
    p.sequences!.forEach((v, i) => {
      if (v !== null) this.columns[i]!.current = v;
    });
    if (this.produced >= this.limit || this.columns.some((c) => c.exhausted())) this.done = true;
  }

  async open(): Promise<void> {}

  async next(): Promise<SourceChunk | null> {
    if (this.done || this.closed) return null;
    if (this.startedAt < 0) {
      this.startedAt = Date.now();
      this.producedAtStart = this.produced;
    }
    const due = this.startedAt + ((this.produced - this.producedAtStart) * 1000) / this.rowsPerSecond;
    const wait = due - Date.now();
    if (wait > 0) await this.sleep(wait);
    if (this.closed) return null;
    const count = Math.min(this.chunkSize, this.limit - this.produced);
    const rows: Row[] = [];
    const exhausted = (): boolean => this.columns.some((c) => c.exhausted());
    while (rows.length < count && !exhausted()) rows.push(this.columns.map((c) => c.next()));
    this.produced += rows.length;
    if (this.produced >= this.limit || exhausted()) this.done = true;
    return this.done ? { split: 'datagen', rows, splitEnded: true } : { split: 'datagen', rows };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.interrupt();
  }

  private sleep(ms: number): Promise<void> {
    return this.timer.sleep(ms);
  }

  private columnGenerator(field: Field, rand: () => number): ColumnGenerator {
    const option = (name: string): string | undefined => this.ctx.options[`fields.${field.name}.${name}`];
    const number = (name: string, fallback: number): number => {
      const text = option(name);
      if (text === undefined) return fallback;
      const n = Number(text);
      return Number.isFinite(n) ? n : invalid(`Option 'fields.${field.name}.${name}' must be a number, got '${text}'`);
    };
    const type = field.type;
    if ((option('kind') ?? 'random').toLowerCase() === 'sequence') {
      if (option('start') === undefined || option('end') === undefined) {
        invalid(`Column \`${field.name}\` is a sequence: options 'fields.${field.name}.start' and 'fields.${field.name}.end' are required`);
      }
      return sequence(field, number('start', 0), number('end', 0));
    }
    const nullRate = type.nullable ? number('null-rate', 0) : 0;
    const value = randomValue(field, type, rand, {
      min: option('min') === undefined ? undefined : number('min', 0),
      max: option('max') === undefined ? undefined : number('max', 0),
      length: number('length', 100),
      maxPast: parseDuration(option('max-past') ?? '0') ?? invalid(`Option 'fields.${field.name}.max-past' must be a duration`),
    });
    const next = nullRate > 0 ? () => (rand() < nullRate ? null : value()) : value;
    return { next, exhausted: () => false };
  }
}

function sequence(field: Field, start: number, end: number): ColumnGenerator {
  const type = field.type;
  const convert: ((n: number) => unknown) | undefined =
    INTEGER_RANGES[type.name] || type.name === 'FLOAT' || type.name === 'DOUBLE' || type.name === 'DECIMAL'
      ? (n) => n
      : type.name === 'STRING'
        ? (n) => String(n)
        : undefined;
  if (!convert) invalid(`Column \`${field.name}\` (${typeToString(type)}) cannot be a sequence`);
  const generator: ColumnGenerator = {
    current: start,
    next: () => convert(generator.current!++),
    exhausted: () => generator.current! > end,
  };
  return generator;
}

interface RandomSpec {
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly length: number;
  readonly maxPast: number;
}

function randomValue(field: Field, type: DataType, rand: () => number, spec: RandomSpec): Generator {
  // 53 random bits, for ranges wider than 2^32.
  const rand53 = () => (Math.floor(rand() * 2 ** 26) * 2 ** 27 + Math.floor(rand() * 2 ** 27)) / 2 ** 53;
  const range = INTEGER_RANGES[type.name];
  if (range) {
    const min = Math.ceil(spec.min ?? range[0]);
    const span = Math.floor(spec.max ?? range[1]) - min + 1;
    return span <= 2 ** 32 ? () => min + Math.floor(rand() * span) : () => min + Math.floor(rand53() * span);
  }
  switch (type.name) {
    case 'BOOLEAN':
      return () => rand() < 0.5;
    case 'FLOAT':
    case 'DOUBLE': {
      const min = spec.min ?? 0;
      const span = (spec.max ?? 1e6) - min;
      return () => min + rand() * span;
    }
    case 'DECIMAL': {
      const scale = type.scale ?? 0;
      const min = spec.min ?? 0;
      const span = (spec.max ?? 10 ** ((type.precision ?? 10) - scale) - 10 ** -scale) - min;
      return () => roundToScale(min + rand() * span, scale);
    }
    case 'STRING': {
      const length = Math.min(spec.length, type.precision ?? Infinity);
      return () => {
        let s = '';
        for (let i = 0; i < length; i++) s += ALNUM[Math.floor(rand() * ALNUM.length)];
        return s;
      };
    }
    case 'BYTES':
      return () => Uint8Array.from({ length: spec.length }, () => Math.floor(rand() * 256));
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      pastInRange(field, spec.maxPast);
      // Values at the column's precision: TIMESTAMP(0) gets whole seconds, as a decoder would read them.
      const unit = 10 ** Math.max(0, 3 - (type.precision ?? 3));
      const past = () => Date.now() - Math.floor(rand() * spec.maxPast);
      return unit === 1 ? past : () => Math.floor(past() / unit) * unit;
    }
    case 'DATE':
      pastInRange(field, spec.maxPast);
      return () => Math.floor((Date.now() - Math.floor(rand() * spec.maxPast)) / MS_PER_DAY);
    case 'TIME':
      return () => Math.floor(rand() * MS_PER_DAY);
    case 'NULL':
      return () => null;
    default:
      return invalid(`datagen cannot generate column \`${field.name}\` of type ${typeToString(type)}`);
  }
}

/** Refuses a `max-past` that reaches before the year 0000 (the range of TIMESTAMP and DATE). */
function pastInRange(field: Field, maxPast: number): void {
  if (Date.now() - maxPast < MIN_TIMESTAMP_MS) {
    invalid(`Option 'fields.${field.name}.max-past' reaches before the year 0000, out of range for ${typeToString(field.type)} (years 0000 to 9999)`);
  }
}

/** The `datagen` connector factory. */
export const datagenConnector: ConnectorFactory = {
  identifier: 'datagen',
  description: 'Generates random or sequence rows at a given rate (for tests and demos).',
  options: OPTIONS,
  createSource: (ctx) => new DataGenSourceReader(ctx),
};
