/**
 * The `nexmark` connector: Flink Nexmark's source (`'connector' = 'nexmark'`), generating person, auction
 * and bid events in process (see generator.ts for the rules).
 *
 * The table is Flink Nexmark's `datagen` table: `event_type INT` (0 person, 1 auction, 2 bid) and the ROW
 * columns `person`, `auction`, `bid`, one of which is set per event (the others NULL). Columns and ROW fields
 * are matched by name (any order, any subset of the known ones); a name the generator does not know, or a
 * type that cannot hold its values, is refused at CREATE TABLE.
 *
 * Splitting (parallel instances): event numbers are cut in blocks of {@link BLOCK_EVENTS}; block b belongs
 * to split b % count. The instances' event times so advance together. `position()` is the next event number
 * of this instance; a restored instance resumes right after the last event it emitted.
 *
 * Pacing: as Flink's NexmarkSourceReader, events are emitted as fast as possible by default
 * (`max-emit-speed` = true); with `max-emit-speed` = false (or `rate.limited` = true) event n is emitted when
 * the wall clock has advanced by its event-time offset since the source started.
 */
import { EddyError, ErrorCode } from '../../common/errors.js';
import { typeToString, type DataType, type Schema } from '../../common/types.js';
import type { Row } from '../../runtime/changelog.js';
import type { ConnectorContext, ConnectorFactory, SourceChunk, SourceReader, TableShape } from '../../runtime/connector.js';
import { InterruptibleSleep } from '../interruptible-sleep.js';
import { NEXMARK_OPTIONS, nexmarkConfig, type NexmarkConfig } from './config.js';
import { AUCTION, AUCTION_FIELDS, BID, BID_FIELDS, NexmarkGenerator, PERSON, PERSON_FIELDS } from './generator.js';

/** Event numbers per block of a split. */
export const BLOCK_EVENTS = 1000;
/** Events per chunk handed to the job. */
const CHUNK_EVENTS = 4000;

type FieldKind = 'bigint' | 'string' | 'timestamp';

const FIELD_KINDS: Readonly<Record<string, FieldKind>> = {
  id: 'bigint', name: 'string', emailAddress: 'string', creditCard: 'string', city: 'string', state: 'string', dateTime: 'timestamp', extra: 'string',
  itemName: 'string', description: 'string', initialBid: 'bigint', reserve: 'bigint', expires: 'timestamp', seller: 'bigint', category: 'bigint',
  auction: 'bigint', bidder: 'bigint', price: 'bigint', channel: 'string', url: 'string',
};

const EVENT_COLUMNS: readonly { readonly name: string; readonly kind: number; readonly fields: readonly string[] }[] = [
  { name: 'person', kind: PERSON, fields: PERSON_FIELDS },
  { name: 'auction', kind: AUCTION, fields: AUCTION_FIELDS },
  { name: 'bid', kind: BID, fields: BID_FIELDS },
];

function findName(names: readonly string[], name: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  const matches = names.flatMap((n, i) => (n.toLowerCase() === lower ? [i] : []));
  return matches.length === 1 ? matches[0]! : -1;
}

function typeHolds(kind: FieldKind | 'event_type', t: DataType): boolean {
  switch (kind) {
    case 'event_type':
      return t.name === 'TINYINT' || t.name === 'SMALLINT' || t.name === 'INT' || t.name === 'BIGINT';
    case 'bigint':
      return t.name === 'BIGINT';
    case 'string':
      return t.name === 'STRING' && (t.precision === undefined || t.precision >= 2 ** 31 - 1);
    case 'timestamp':
      return (t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ') && (t.precision ?? 6) >= 3;
  }
}

const WANTED: Readonly<Record<FieldKind | 'event_type', string>> = {
  event_type: 'an integer type (INT)',
  bigint: 'BIGINT',
  string: 'STRING (VARCHAR without a length)',
  timestamp: 'TIMESTAMP(3)',
};

/** How one physical column is produced: `event_type`, or the ROW of one kind with its fields picked. */
interface ColumnPlan {
  readonly source: 'event_type' | number;
  /** For a ROW column: the generator's field index of each declared field; undefined when it is all of them in order. */
  readonly pick?: readonly number[];
}

/** Problems with the table's columns for this generator (empty: fine); also used by the reader. */
export function nexmarkSchemaProblems(schema: Schema): { plans: ColumnPlan[]; problems: string[] } {
  const problems: string[] = [];
  const plans: ColumnPlan[] = [];
  const known = ['event_type', ...EVENT_COLUMNS.map((c) => c.name)];
  for (const col of schema) {
    const k = findName(known, col.name);
    if (k < 0) {
      problems.push(`column \`${col.name}\` is not one the nexmark generator makes (event_type, person, auction, bid); declare it as a computed column instead`);
      continue;
    }
    if (k === 0) {
      if (!typeHolds('event_type', col.type)) problems.push(`column \`${col.name}\` must be ${WANTED.event_type}, not ${typeToString(col.type)}`);
      plans.push({ source: 'event_type' });
      continue;
    }
    const ev = EVENT_COLUMNS[k - 1]!;
    if (col.type.name !== 'ROW' || !col.type.fields) {
      problems.push(`column \`${col.name}\` must be a ROW of the ${ev.name} fields (${ev.fields.join(', ')}), not ${typeToString(col.type)}`);
      continue;
    }
    const pick: number[] = [];
    for (const f of col.type.fields) {
      const i = findName(ev.fields, f.name);
      if (i < 0) {
        problems.push(`field \`${col.name}\`.\`${f.name}\` is not a ${ev.name} field (${ev.fields.join(', ')})`);
        continue;
      }
      const kind = FIELD_KINDS[ev.fields[i]!]!;
      if (!typeHolds(kind, f.type)) problems.push(`field \`${col.name}\`.\`${f.name}\` must be ${WANTED[kind]}, not ${typeToString(f.type)}`);
      pick.push(i);
    }
    const whole = pick.length === ev.fields.length && pick.every((p, i) => p === i);
    plans.push(whole ? { source: ev.kind } : { source: ev.kind, pick });
  }
  return { plans, problems };
}

/** Turns generated events into rows of the table's physical columns. */
function rowMaker(plans: readonly ColumnPlan[]): (kind: number, values: unknown[]) => Row {
  const canonical =
    plans.length === 4 &&
    plans[0]!.source === 'event_type' &&
    plans[1]!.source === PERSON && !plans[1]!.pick &&
    plans[2]!.source === AUCTION && !plans[2]!.pick &&
    plans[3]!.source === BID && !plans[3]!.pick;
  if (canonical) {
    return (kind, values) => (kind === BID ? [kind, null, null, values] : kind === AUCTION ? [kind, null, values, null] : [kind, values, null, null]);
  }
  const n = plans.length;
  return (kind, values) => {
    const row = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const p = plans[i]!;
      if (p.source === 'event_type') row[i] = kind;
      else if (p.source !== kind) row[i] = null;
      else row[i] = p.pick ? p.pick.map((f) => values[f]) : values;
    }
    return row;
  };
}

function invalidState(message: string): never {
  throw new EddyError({ code: ErrorCode.INVALID_STATEMENT, message, hint: 'start the job without restoring its state' });
}

/** Where a nexmark source stands: the next event number of this instance (global numbering), and its split. */
export interface NexmarkPosition {
  readonly next: number;
  readonly index: number;
  readonly count: number;
}

/**
 * The event numbers of split `index` of `count`, in order, from `from` on: blocks of {@link BLOCK_EVENTS}
 * event numbers, block b belonging to split b % count.
 */
export class SplitEventNumbers {
  /** The next event number this split generates (or, once past `limit`, a number >= limit). */
  next: number;

  constructor(
    readonly index: number,
    readonly count: number,
    readonly limit: number,
    from?: number,
  ) {
    this.next = from ?? index * BLOCK_EVENTS;
  }

  /** True when `n` belongs to this split. */
  owns(n: number): boolean {
    return Math.floor(n / BLOCK_EVENTS) % this.count === this.index;
  }

  get done(): boolean {
    return this.next >= this.limit;
  }

  /** The end (exclusive) of the run of this split's event numbers starting at `next`, at most `max` long. */
  runEnd(max: number): number {
    const blockEnd = (Math.floor(this.next / BLOCK_EVENTS) + 1) * BLOCK_EVENTS;
    return Math.min(this.count === 1 ? Infinity : blockEnd, this.next + max, this.limit);
  }

  /** Moves past the run ending at `end`. */
  advance(end: number): void {
    this.next = end;
    if (this.count > 1 && end % BLOCK_EVENTS === 0) this.next += (this.count - 1) * BLOCK_EVENTS;
  }
}

/** Reads the nexmark generator's events (this instance's share of them). */
export class NexmarkSourceReader implements SourceReader {
  readonly bounded: boolean;
  private readonly config: NexmarkConfig;
  private readonly generator: NexmarkGenerator;
  private readonly numbers: SplitEventNumbers;
  private readonly makeRow: (kind: number, values: unknown[]) => Row;
  private readonly timer = new InterruptibleSleep();
  private closed = false;
  private ended = false;
  /** Pacing: wall-clock time when the first event of this run was emitted, and that event's time. */
  private startedAt = -1;
  private startEventTime = 0;

  constructor(private readonly ctx: ConnectorContext) {
    this.config = nexmarkConfig(ctx.options);
    const { plans, problems } = nexmarkSchemaProblems(ctx.schema);
    if (problems.length > 0) {
      throw new EddyError({ code: ErrorCode.INVALID_OPTION, message: `Table \`${ctx.tableName}\` (nexmark): ${problems[0]!}` });
    }
    this.makeRow = rowMaker(plans);
    this.generator = new NexmarkGenerator(this.config);
    const split = ctx.split ?? { index: 0, count: 1 };
    const limit = this.config.eventsNum > 0 ? this.config.eventsNum : Number.MAX_SAFE_INTEGER;
    this.numbers = new SplitEventNumbers(split.index, split.count, limit, this.restoredNext(ctx.restored, split));
    this.bounded = this.config.eventsNum > 0 && !this.config.keepAlive;
  }

  private restoredNext(restored: unknown, split: { index: number; count: number }): number | undefined {
    if (restored === undefined || restored === null) return undefined;
    const p = restored as Partial<NexmarkPosition>;
    if (typeof p !== 'object' || !Number.isSafeInteger(p.next) || p.next! < 0 || p.index !== split.index || p.count !== split.count) {
      invalidState(
        `Table \`${this.ctx.tableName}\`: the checkpointed position of the nexmark source (${JSON.stringify(restored).slice(0, 100)}) is not one of split ${split.index} of ${split.count}` +
          (typeof p === 'object' && p.count !== undefined && p.count !== split.count ? ': the job ran with another parallelism, and the nexmark source cannot be rescaled' : ''),
      );
    }
    return p.next!;
  }

  position(): NexmarkPosition {
    return { next: this.numbers.next, index: this.numbers.index, count: this.numbers.count };
  }

  async open(): Promise<void> {}

  async next(): Promise<SourceChunk | null> {
    if (this.closed) return null;
    if (this.numbers.done) {
      if (this.bounded) {
        if (this.ended) return null;
        this.ended = true;
        return { split: 'nexmark', rows: [], splitEnded: true };
      }
      // keep-alive (or the unbounded range exhausted): no more data until closed.
      while (!this.closed) await this.timer.sleep(3_600_000);
      return null;
    }
    if (this.config.paced) await this.pace();
    if (this.closed) return null;
    const gen = this.generator;
    const makeRow = this.makeRow;
    const rows: Row[] = [];
    const numbers = this.numbers;
    while (rows.length < CHUNK_EVENTS && !numbers.done) {
      const end = numbers.runEnd(CHUNK_EVENTS - rows.length);
      for (let n = numbers.next; n < end; n++) {
        const kind = gen.kind(n);
        rows.push(makeRow(kind, kind === BID ? gen.bid(n) : kind === AUCTION ? gen.auction(n) : gen.person(n)));
      }
      numbers.advance(end);
    }
    if (numbers.done && this.bounded) {
      this.ended = true;
      return { split: 'nexmark', rows, splitEnded: true };
    }
    return { split: 'nexmark', rows };
  }

  /** Waits until the wall clock reaches the next event's time (relative to this run's start). */
  private async pace(): Promise<void> {
    const t = this.generator.timestamp(this.numbers.next);
    if (this.startedAt < 0) {
      this.startedAt = Date.now();
      this.startEventTime = t;
      return;
    }
    const wait = this.startedAt + (t - this.startEventTime) - Date.now();
    if (wait > 0) await this.timer.sleep(wait);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.interrupt();
  }
}

/** The `nexmark` connector factory. */
export const nexmarkConnector: ConnectorFactory = {
  identifier: 'nexmark',
  description: "Flink Nexmark's event generator: person, auction and bid events (the benchmark's `datagen` table).",
  options: NEXMARK_OPTIONS,
  splittable: true,
  createSource: (ctx) => new NexmarkSourceReader(ctx),
  checkOptions(options: Readonly<Record<string, string>>, table?: TableShape) {
    const problems: { key: string; message: string; hint?: string }[] = [];
    try {
      nexmarkConfig(options);
    } catch (e) {
      if (!(e instanceof EddyError)) throw e;
      const m = /^Option '([^']+)'/.exec(e.message);
      problems.push({ key: m?.[1] ?? 'connector', message: e.message, ...(e.diagnostics[0]!.hint ? { hint: e.diagnostics[0]!.hint } : {}) });
    }
    if (table?.schema) {
      for (const message of nexmarkSchemaProblems(table.schema).problems) {
        problems.push({ key: 'connector', message: `The nexmark connector cannot fill this table: ${message}`, hint: 'declare the columns of Flink Nexmark\'s datagen table: event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>' });
      }
    }
    return problems;
  },
};
