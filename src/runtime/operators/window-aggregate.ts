/** The TUMBLE / HOP / CUMULATE window aggregate: rows accumulate by slices; one final row per window and group, when the watermark passes. */
import { BatchBuilder, type ChangeBatch, INSERT, type Row } from '../changelog.js';
import type { Counter } from '../metrics.js';
import type { OperatorContext, Output, StreamOperator } from '../operator.js';
import type { StateTable, ValueCodec, ValueState } from '../state/state-types.js';
import { TimerService } from '../timer-service.js';
import { describeWindow } from '../../common/window.js';
import { type GroupKey, type KeySelector, keySelector } from '../keys.js';
import { type AccumulatorLayout, objectLayout } from './accumulator-layout.js';
import { type AggCall, describeAggs, describeColumns, notInsertOnly } from './aggregate-call.js';
import { MinHeap } from '../min-heap.js';
import { decodeValue, encodeValue, writeEncodedValue } from './state-codecs.js';
import {
  alignedStart,
  type AlignedWindow,
  assignWindowEnds,
  checkAlignedWindow,
  firstWindowEnd,
  NULL_TIME_RECORDS_DROPPED,
  sliceEndOf,
  sliceWidth,
  windowStartForEnd,
} from './window-assigner.js';

/** Configuration of a {@link WindowAggregate}. */
export interface WindowAggregateConfig {
  readonly window: AlignedWindow;
  /** The input column holding the time attribute (epoch ms); with {@link windowEnd}, that column. */
  readonly timeIndex: number;
  /**
   * Set when the input's rows are already windowed by `window` (a window aggregate or window join before
   * this one): the input column holding each row's window_end. A row then counts in that window only.
   */
  readonly windowEnd?: number;
  /** The GROUP BY columns besides the window. */
  readonly groupKeys: readonly number[];
  readonly aggs: readonly AggCall[];
}

/** The accumulators of one group in one slice, with the group's key values for the output row. */
export interface SliceGroup {
  readonly keyValues: unknown[];
  /** The group's accumulators, in the operator's {@link AccumulatorLayout}. */
  readonly accs: unknown;
  /** When the group was first seen in the slice (ascending over the operator): orders a window's rows. */
  readonly seq: number;
}

/**
 * The state table of slices (namespace: a slice's end; key: the group key → {@link SliceGroup}). Where a
 * window is one slice (TUMBLE, and HOP / CUMULATE with an arrival-order aggregate) the namespace is the
 * window's end.
 */
const SLICES_TABLE = 'slices';
/** The value state holding the next {@link SliceGroup.seq}. */
const SEQ_VALUE = 'seq';

/**
 * How windows are made of slices. `window`: each slice is one window (TUMBLE; and HOP / CUMULATE when an
 * aggregate depends on arrival order, so a row is added to each of its windows' own accumulators);
 * `hop`, `cumulate`: slices narrower than a window, merged when a window fires.
 */
type Assembly = 'window' | 'hop' | 'cumulate';

/**
 * `GROUP BY window_start, window_end, k..` over a TUMBLE / HOP / CUMULATE window TVF (Flink's window
 * aggregate with window slicing, emitting final results only).
 *
 * - Time is cut into slices (see {@link sliceWidth}): every row of a slice belongs to the same windows, and
 *   each window is a run of whole slices. A row updates ONE accumulator, its group's in its slice. When a
 *   window fires, each group's result is assembled from the slices the window covers: for CUMULATE from a
 *   running merge of the slices of the current max window; for HOP from at most two precomputed merges
 *   (see {@link GroupSlices}), so firing costs O(1) merges per group, not size/slide. When an aggregate
 *   depends on arrival order (not `orderInsensitive`, see AggregateImpl), HOP and CUMULATE keep one
 *   accumulator per window instead, as TUMBLE does anyway.
 * - Input is insert-only; any other row kind is an error (the planner never builds such a plan).
 * - Windowed input (`windowEnd` set: a window aggregate or window join before this one already put each row
 *   in one window of the same TVF): a row counts in its own window only, one accumulator per window.
 * - Rows with a NULL time are dropped and counted (`nullTimeRecordsDropped`); rows between the windows of a
 *   HOP whose size is smaller than its slide belong to no window and are skipped.
 * - Lateness as Flink's window TVFs: a row is late iff its first window to fire has fired, i.e.
 *   `firstWindowEnd(ts) - 1 <= watermark` ({@link TimerService.dropLate} decides and counts). A row that is not late
 *   has no fired window, and its slice has not been merged into any window yet.
 * - Timers: when a slice gets its first row, a timer is registered at `end - 1` of each window covering it.
 *   On a watermark that advances, the timers fire windows ascending by end (then start, determined by the
 *   end); a window's groups come in first-seen order (the smallest `seq` of the group's slices in it): one
 *   `+I` row `[...keys, ...aggs, window_start, window_end, window_time]` each, all in one batch; then the
 *   watermark is forwarded. A restored operator emits in the same order.
 * - End of input fires nothing by itself: a finished source first sends MAX_WATERMARK, which fires all.
 * - Results do not depend on batching, firing history or restores: merges follow the slices' order.
 *   Sliced floating-point sums add in a different order than one accumulator per window would, so they may
 *   differ from that in the last bits (as in Flink).
 * - State: the table {@link SLICES_TABLE} (namespace: a slice's end, key: group key → [keyValues,
 *   accumulators, seq]), the value {@link SEQ_VALUE}, and the timer service's `timers` and `watermark`. A group
 *   is stored again after every row it takes (that marks it for the next checkpoint). A slice is dropped
 *   once no unfired window covers it. Derived, rebuilt in {@link open}: which slices are still open, and
 *   for HOP / CUMULATE the merged slices of each group.
 */
export class WindowAggregate implements StreamOperator {
  readonly kind = 'WindowAggregate';
  private readonly keys: KeySelector;
  private readonly layout: AccumulatorLayout;
  private readonly width: number;
  private readonly assembly: Assembly;
  private output!: Output;
  private nullTime!: Counter;
  private timers!: TimerService;
  private slices!: StateTable<SliceGroup>;
  private seqState!: ValueState<number>;
  private nextSeq = 0;
  /** HOP / CUMULATE: the groups' slices that windows took and later windows still cover. */
  private assembler?: SliceAssembler;
  /** Slices whose windows have timers; for HOP / CUMULATE each is also in {@link openSlices} until a window takes it. */
  private readonly registered = new Set<number>();
  /** HOP / CUMULATE: the slices with state that no window took yet (each once). */
  private readonly openSlices = new MinHeap();
  /** HOP / CUMULATE: the slices with state that a window took, ascending (dropped when no window covers them). */
  private readonly takenSlices: number[] = [];
  /** The slice of the last row, its windows' ends (reused buffer) and their number; whether its timers exist. */
  private slice = Number.NaN;
  private readonly ends: number[] = [];
  private windowCount = 0;
  private sliceRegistered = false;
  /** A fired window's rows and their groups' first-seen numbers, before they are put in order. */
  private readonly firedRows: Row[] = [];
  private readonly firedSeqs: number[] = [];
  private readonly out = new BatchBuilder();

  constructor(readonly config: WindowAggregateConfig) {
    const w = config.window;
    checkAlignedWindow(w);
    this.keys = keySelector(config.groupKeys);
    // One accumulator object per call: a window's groups are created, filled and dropped all the time, and
    // the flat layout's Float64Arrays cost more to create than they save per update (measured on the
    // operator alone, 1M rows, 1,000 keys, 12 rows per key and window: TUMBLE took 1.5x the CPU time with
    // them, HOP and CUMULATE 1.1x).
    this.layout = objectLayout(config.aggs);
    this.width = sliceWidth(w);
    const size = w.kind === 'cumulate' ? w.maxSize : w.size;
    const mergeable = config.aggs.every((a) => a.impl.orderInsensitive === true);
    const windowed = config.windowEnd !== undefined;
    this.assembly = windowed || w.kind === 'tumble' || this.width === size || !mergeable ? 'window' : w.kind;
  }

  open(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.nullTime = ctx.counter(NULL_TIME_RECORDS_DROPPED);
    this.timers = new TimerService(ctx);
    this.slices = ctx.state.table<SliceGroup>(SLICES_TABLE, sliceGroupCodec(this.layout));
    this.seqState = ctx.state.value<number>(SEQ_VALUE);
    this.nextSeq = this.seqState.get() ?? 0;
    if (this.assembly === 'window') return;
    const w = this.config.window;
    this.assembler = new SliceAssembler(w, this.layout);
    // A slice whose first window has fired was taken by it; the others wait for theirs.
    const ends = [...this.slices.namespaces()].map(Number).sort((a, b) => a - b);
    for (const s of ends) {
      if (firstWindowEnd(w, s - 1) - 1 <= this.timers.watermark) this.take(s);
      else {
        this.openSlices.push(s);
        this.registered.add(s);
      }
    }
  }

  /** The number of windows waiting to fire. */
  get openWindows(): number {
    return this.timers.times().length;
  }

  processBatch(batch: ChangeBatch, _input: number): void {
    const { window, timeIndex } = this.config;
    const layout = this.layout;
    const { rows, kinds } = batch;
    const perWindow = this.assembly === 'window';
    const ends = this.ends;
    const slices = this.slices;
    const keys = this.keys;
    const seqBefore = this.nextSeq;
    // A group changed in place is put back only when the table records writes.
    const putBack = slices.tracksWrites !== false;
    let nullTime = 0;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== INSERT) throw notInsertOnly(this.kind, kinds[i]!);
      const row = rows[i]!;
      const ts = row[timeIndex];
      if (ts === null || ts === undefined) {
        nullTime++;
        continue;
      }
      // A windowed row's "slice" is its window.
      const slice = this.config.windowEnd !== undefined ? (ts as number) : sliceEndOf(window, this.width, ts as number);
      if (slice !== this.slice) this.enterSlice(slice);
      const n = this.windowCount;
      if (n === 0) continue;
      if (this.timers.dropLate(ends[0]! - 1)) continue;
      if (!this.sliceRegistered) this.registerSlice(slice);
      const key = keys.key(row);
      for (let j = 0; j < (perWindow ? n : 1); j++) {
        // Per window: the window's end names its accumulators; sliced: the slice's end.
        const ns = perWindow ? ends[j]! : slice;
        let group = slices.get(key, ns);
        if (group === undefined) {
          group = { keyValues: keys.values(row), accs: layout.create(), seq: this.nextSeq++ };
          layout.accumulate(group.accs, row);
          slices.put(key, group, ns);
        } else {
          layout.accumulate(group.accs, row);
          if (putBack) slices.put(key, group, ns);
        }
      }
    }
    if (this.nextSeq !== seqBefore) this.seqState.set(this.nextSeq);
    if (nullTime > 0) this.nullTime.inc(nullTime);
  }

  processWatermark(watermark: number, _input: number): void {
    if (!this.timers.advance(watermark, this.fire)) return;
    const batch = this.out.take();
    if (batch) this.output.emit(batch);
    this.output.emitWatermark(watermark);
  }

  endInput(_input: number): void {
    this.output.end();
  }

  explain(): string {
    const { window, timeIndex, groupKeys, aggs, windowEnd } = this.config;
    return (
      `WindowAggregate(window=[${describeWindow(window)}], ${windowEnd === undefined ? 'time' : 'windowEnd'}=[$${timeIndex}], ` +
      `groupBy=[${describeColumns(groupKeys)}], select=[${describeAggs(aggs)}])`
    );
  }

  /** Notes the slice of the row at hand and its windows (rows come in runs of the same slice). */
  private enterSlice(slice: number): void {
    this.slice = slice;
    if (this.config.windowEnd !== undefined) {
      this.ends[0] = slice;
      this.windowCount = 1;
    } else this.windowCount = assignWindowEnds(this.config.window, slice - 1, this.ends);
    this.sliceRegistered = this.registered.has(slice);
  }

  /** A slice's first row that is not late: timers for its windows, and for HOP / CUMULATE it is now open. */
  private registerSlice(slice: number): void {
    for (let j = 0; j < this.windowCount; j++) this.timers.register(this.ends[j]! - 1);
    this.registered.add(slice);
    if (this.assembly !== 'window') this.openSlices.push(slice);
    this.sliceRegistered = true;
  }

  /** Fires the window whose timer (at `window_time` = end - 1) is due. */
  private readonly fire = (time: number): void => {
    const end = time + 1;
    const window = this.config.window;
    const start = windowStartForEnd(window, end);
    if (this.assembly === 'window') {
      for (const [, g] of this.slices.namespace(end)) this.collect(g.seq, start, end, g.keyValues, g.accs);
      this.slices.deleteNamespace(end);
      for (const s of this.registered) if (s <= end) this.registered.delete(s);
    } else {
      // Every open slice up to the end is complete now (a row for it would be late): the window takes it.
      for (let s = this.openSlices.peek(); s !== undefined && s <= end; s = this.openSlices.peek()) {
        this.openSlices.pop();
        this.registered.delete(s);
        this.take(s);
      }
      this.assembler!.window(end, (g, accs, seq) => this.collect(seq, start, end, g.keyValues, accs));
      const drop = this.coveredUpTo(start, end);
      const taken = this.takenSlices;
      let n = 0;
      while (n < taken.length && taken[n]! <= drop) this.slices.deleteNamespace(taken[n++]!);
      if (n > 0) taken.splice(0, n);
    }
    this.emitFired();
  };

  /**
   * After the window `[start, end)` fired: the slices ending at or before the returned time are in no later
   * window (HOP: the next window starts there; CUMULATE: after the last window of a max window, the next one
   * starts afresh).
   */
  private coveredUpTo(start: number, end: number): number {
    const w = this.config.window;
    switch (w.kind) {
      case 'hop':
        return end + w.slide - w.size;
      case 'cumulate':
        return end === start + w.maxSize ? end : Number.NEGATIVE_INFINITY;
      case 'tumble':
        return end;
    }
  }

  /** Hands the groups of a complete slice to the assembler. */
  private take(slice: number): void {
    this.takenSlices.push(slice);
    for (const [key, g] of this.slices.namespace(slice)) this.assembler!.push(slice, key as GroupKey, g);
  }

  private collect(seq: number, start: number, end: number, keyValues: unknown[], accs: unknown): void {
    const k = keyValues.length;
    const a = this.layout.calls;
    const row: Row = new Array(k + a + 3);
    for (let i = 0; i < k; i++) row[i] = keyValues[i];
    this.layout.writeResults(accs, row, k);
    row[k + a] = start;
    row[k + a + 1] = end;
    row[k + a + 2] = end - 1;
    this.firedRows.push(row);
    this.firedSeqs.push(seq);
  }

  /** Adds one window's rows to the output in first-seen order. */
  private emitFired(): void {
    const rows = this.firedRows;
    const seqs = this.firedSeqs;
    let sorted = true;
    for (let i = 1; i < seqs.length && sorted; i++) sorted = seqs[i - 1]! < seqs[i]!;
    if (sorted) {
      for (const row of rows) this.out.add(INSERT, row);
    } else {
      // The numbers are distinct: a native numeric sort, then each number's row (a comparator sort costs
      // several times more, and HOP windows need this at every firing).
      const at = new Map<number, number>();
      for (let i = 0; i < seqs.length; i++) at.set(seqs[i]!, i);
      const order = Float64Array.from(seqs).sort();
      for (let i = 0; i < order.length; i++) this.out.add(INSERT, rows[at.get(order[i]!)!]!);
    }
    rows.length = 0;
    seqs.length = 0;
  }
}

/** Stores a slice group as `[keyValues, accumulators, seq]` (accumulators as encodeAccumulators gives them, in either layout). */
function sliceGroupCodec(layout: AccumulatorLayout): ValueCodec<SliceGroup> {
  return {
    encode: (g) => [encodeValue(g.keyValues), layout.encode(g.accs), g.seq],
    write: (w, g) => {
      w.arrayHeader(3);
      writeEncodedValue(w, g.keyValues);
      layout.write(w, g.accs);
      w.value(g.seq);
    },
    decode: (data) => {
      const [keyValues, accs, seq] = data as [unknown, unknown, number];
      return { keyValues: decodeValue(keyValues) as unknown[], accs: layout.decode(accs), seq };
    },
  };
}

/**
 * One group's complete slices that unfired windows cover, merged so that any window is at most two merges
 * away. Time is cut into blocks one window long (HOP: `size`; CUMULATE: `max_size`), aligned to the window
 * offset, so a window spans the end of one block and the start of the next:
 * - `prefix`: the merge of the group's slices of the current block so far, oldest first;
 * - HOP only, `suffixes[i]`: for each slice i of the previous block, the merge of it and every later slice of
 *   that block (computed, newest first, when the group's slices move on to the next block).
 * A HOP window ending in the current block is `suffix(its first slice in the previous block) ⊕ prefix`; a
 * CUMULATE window is the prefix. Each slice is merged about three times in all, however many windows
 * cover it ("two stacks" sliding-window aggregation). The blocks are fixed by time, not by when rows came,
 * so a result is the same merges of the same slices in every run, restored or not.
 */
interface GroupSlices {
  readonly keyValues: unknown[];
  /** The end of the block {@link prefix} covers. */
  block: number;
  prefix: unknown;
  prefixSeq: number;
  /** A previous block's prefix, to be emptied and reused. */
  spare: unknown;
  /** HOP: the current block's slices so far (their ends and groups), for its suffixes. */
  readonly blockEnds: number[];
  readonly blockGroups: SliceGroup[];
  /** HOP: the previous block's suffixes, from index {@link head} on (earlier ones no window needs). */
  suffixEnds: number[];
  suffixAccs: unknown[];
  suffixSeqs: number[];
  head: number;
}

/** The {@link GroupSlices} of every group of a HOP or CUMULATE window aggregate. */
class SliceAssembler {
  private readonly groups = new Map<GroupKey, GroupSlices>();
  /** The merge of a window's two parts, one group at a time (emptied and reused when the layout can). */
  private scratch: unknown;
  private readonly hop: boolean;
  /** Block length: one window. */
  private readonly length: number;
  private readonly offset: number;
  /** HOP: how far windows move. */
  private readonly slide: number;

  constructor(
    window: AlignedWindow,
    private readonly layout: AccumulatorLayout,
  ) {
    this.hop = window.kind === 'hop';
    this.length = window.kind === 'cumulate' ? window.maxSize : window.size;
    this.offset = window.offset;
    this.slide = window.kind === 'hop' ? window.slide : 0;
    this.scratch = layout.create();
  }

  /** Adds a group's complete slice; slices come in ascending order of their ends. */
  push(slice: number, key: GroupKey, g: SliceGroup): void {
    let gs = this.groups.get(key);
    if (gs === undefined) {
      gs = {
        keyValues: g.keyValues,
        block: Number.NEGATIVE_INFINITY,
        prefix: undefined,
        prefixSeq: Infinity,
        spare: undefined,
        blockEnds: [],
        blockGroups: [],
        suffixEnds: [],
        suffixAccs: [],
        suffixSeqs: [],
        head: 0,
      };
      this.groups.set(key, gs);
    }
    this.moveTo(gs, this.blockOf(slice));
    if (gs.prefix === undefined) gs.prefix = gs.spare === undefined ? this.layout.create() : this.layout.reset(gs.spare);
    this.layout.merge(gs.prefix, g.accs);
    if (g.seq < gs.prefixSeq) gs.prefixSeq = g.seq;
    if (this.hop) {
      gs.blockEnds.push(slice);
      gs.blockGroups.push(g);
    }
  }

  /**
   * Calls `emit` with each group's accumulators over the window ending at `end` (every slice it covers has
   * been pushed), and the group's first-seen number in it. Forgets what no later window needs.
   */
  window(end: number, emit: (g: GroupSlices, accs: unknown, seq: number) => void): void {
    const block = this.blockOf(end);
    const lastOfBlock = end === block;
    for (const [key, gs] of this.groups) {
      this.moveTo(gs, block);
      let suffix: unknown;
      let seq = gs.prefixSeq;
      if (this.hop) {
        // Slices ending at or before the window's start are outside it, and outside every later window.
        const from = end - this.length;
        while (gs.head < gs.suffixEnds.length && gs.suffixEnds[gs.head]! <= from) gs.head++;
        if (gs.head < gs.suffixEnds.length) {
          suffix = gs.suffixAccs[gs.head]!;
          if (gs.suffixSeqs[gs.head]! < seq) seq = gs.suffixSeqs[gs.head]!;
        }
      }
      const prefix = gs.prefix;
      if (suffix === undefined && prefix === undefined) {
        this.groups.delete(key);
        continue;
      }
      let accs: unknown;
      if (suffix === undefined) accs = prefix;
      else if (prefix === undefined) accs = suffix;
      else if (gs.suffixEnds[gs.head]! <= end + this.slide - this.length) {
        // The next window starts after this suffix's slice, so no later window reads this suffix (the
        // usual case): the prefix is merged into it in place.
        this.layout.merge(suffix, prefix);
        accs = suffix;
      } else {
        accs = this.scratch = this.layout.reset(this.scratch);
        this.layout.merge(accs, suffix);
        this.layout.merge(accs, prefix);
      }
      emit(gs, accs, seq);
    }
    // CUMULATE: the last window of a block; the next block starts afresh.
    if (!this.hop && lastOfBlock) this.groups.clear();
  }

  /** The end of the block holding the slice (or window) that ends at `end`. */
  private blockOf(end: number): number {
    return alignedStart(end - 1, this.offset, this.length) + this.length;
  }

  /** Moves a group on to `block`: the block it leaves becomes the suffixes (HOP, adjacent blocks) or is dropped. */
  private moveTo(gs: GroupSlices, block: number): void {
    if (gs.block === block) return;
    // No window needs the old suffixes any more: their accumulators are reused for the new ones.
    const spare = gs.suffixAccs;
    gs.suffixEnds = [];
    gs.suffixAccs = [];
    gs.suffixSeqs = [];
    gs.head = 0;
    if (this.hop && block === gs.block + this.length) {
      const n = gs.blockGroups.length;
      const ends = new Array<number>(n);
      const accs = new Array<unknown>(n);
      const seqs = new Array<number>(n);
      for (let i = n - 1; i >= 0; i--) {
        const g = gs.blockGroups[i]!;
        const acc = i < spare.length ? this.layout.reset(spare[i]) : this.layout.create();
        this.layout.merge(acc, g.accs);
        let seq = g.seq;
        if (i < n - 1) {
          this.layout.merge(acc, accs[i + 1]!);
          if (seqs[i + 1]! < seq) seq = seqs[i + 1]!;
        }
        ends[i] = gs.blockEnds[i]!;
        accs[i] = acc;
        seqs[i] = seq;
      }
      gs.suffixEnds = ends;
      gs.suffixAccs = accs;
      gs.suffixSeqs = seqs;
    }
    gs.blockEnds.length = 0;
    gs.blockGroups.length = 0;
    if (gs.prefix !== undefined) gs.spare = gs.prefix;
    gs.prefix = undefined;
    gs.prefixSeq = Infinity;
    gs.block = block;
  }
}
