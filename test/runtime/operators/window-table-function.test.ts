import { describe, expect, it } from 'vitest';
import { DELETE, INSERT, MAX_WATERMARK } from '../../../src/runtime/changelog.js';
import { WindowTableFunction } from '../../../src/runtime/operators/window-table-function.js';
import { ch, OperatorHarness } from '../operator-harness.js';

describe('WindowTableFunction', () => {
  it('appends window_start, window_end, window_time to each row (tumble)', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'tumble', size: 10, offset: 0 }, timeIndex: 1 }));
    expect(h.insert(['a', 3], ['b', 10], ['c', -1])).toEqual([
      ch('+I', ['a', 3, 0, 10, 9]),
      ch('+I', ['b', 10, 10, 20, 19]),
      ch('+I', ['c', -1, -10, 0, -1]),
    ]);
  });

  it('emits a hopping row once per window (size / slide rows)', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'hop', slide: 5, size: 15, offset: 0 }, timeIndex: 0 }));
    expect(h.insert([7])).toEqual([ch('+I', [7, -5, 10, 9]), ch('+I', [7, 0, 15, 14]), ch('+I', [7, 5, 20, 19])]);
  });

  it('emits a cumulating row once per growing window that holds it', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'cumulate', step: 10, maxSize: 30, offset: 0 }, timeIndex: 0 }));
    expect(h.insert([15])).toEqual([ch('+I', [15, 0, 20, 19]), ch('+I', [15, 0, 30, 29])]);
  });

  it('passes row kinds through and leaves input rows untouched', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'tumble', size: 10, offset: 0 }, timeIndex: 0 }));
    const row = [5];
    expect(h.feed({ rows: [row, [6]], kinds: [INSERT, DELETE] })).toEqual([ch('+I', [5, 0, 10, 9]), ch('-D', [6, 0, 10, 9])]);
    expect(row).toEqual([5]);
  });

  it('drops and counts rows whose time is NULL', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'tumble', size: 10, offset: 0 }, timeIndex: 0 }));
    expect(h.insert([null], [1])).toEqual([ch('+I', [1, 0, 10, 9])]);
    expect(h.counter('nullTimeRecordsDropped')).toBe(1);
  });

  it('emits nothing for empty input, forwards watermarks and ends', () => {
    const h = new OperatorHarness(new WindowTableFunction({ window: { kind: 'tumble', size: 10, offset: 0 }, timeIndex: 0 }));
    expect(h.insert()).toEqual([]);
    h.watermark(5);
    expect(h.finish()).toEqual([]);
    expect(h.events).toEqual([{ type: 'watermark', watermark: 5 }, { type: 'watermark', watermark: MAX_WATERMARK }, { type: 'end' }]);
  });

  it('explains itself', () => {
    const op = new WindowTableFunction({ window: { kind: 'hop', slide: 300_000, size: 600_000, offset: 0 }, timeIndex: 2 });
    expect(op.explain()).toBe('WindowTableFunction(window=[HOP(slide=[5 min], size=[10 min])], time=[$2])');
  });
});
