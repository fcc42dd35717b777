/** Fitting a table to the terminal: margins, cut text columns (never numbers), hidden columns, panels. */
import { describe, expect, it } from 'vitest';
import { describeColumns, fitColumns, layoutTable, MIN_CUT_WIDTH } from '../../repl/table-layout.js';

/** The width of a `box` line with these widths: the rule, the longest line. */
const ruleWidth = (widths: number[], margin: boolean) => layoutTable(widths.map(() => ''), [], { style: 'box', widths, margin }).header[1]!.length;

describe('fitColumns', () => {
  it('keeps natural widths and the margin when the table fits', () => {
    expect(fitColumns([23, 23, 8, 8, 6], [false, false, true, true, true], 90)).toEqual({ first: 0, count: 5, widths: [23, 23, 8, 8, 6], margin: true, cut: false });
  });

  it("drops the margin when that is enough (the quick start's table at 80 columns)", () => {
    const fit = fitColumns([23, 23, 8, 8, 6], [false, false, true, true, true], 80);
    expect(fit).toEqual({ first: 0, count: 5, widths: [23, 23, 8, 8, 6], margin: false, cut: false });
    expect(ruleWidth(fit.widths, fit.margin)).toBe(80);
  });

  it('cuts the widest text columns first and never a number', () => {
    const fit = fitColumns([30, 20, 12], [false, false, true], 50);
    expect(fit.cut).toBe(true);
    expect(fit.widths[2]).toBe(12);
    // 30 + 20 + 12 + 6 = 68: 18 to lose; the 30 goes first until it is as narrow as the 20, then both.
    expect(fit.widths).toEqual([16, 16, 12]);
    expect(ruleWidth(fit.widths, fit.margin)).toBeLessThanOrEqual(50);
  });

  it('leaves out the columns that do not fit even cut, and starts where scrolled to', () => {
    const natural = [20, 20, 20, 20, 7];
    const right = [false, false, false, false, true];
    const fit = fitColumns(natural, right, 40);
    expect(fit.first).toBe(0);
    expect(fit.count).toBeLessThan(5);
    expect(fit.widths.every((w) => w >= MIN_CUT_WIDTH)).toBe(true);
    expect(ruleWidth(fit.widths, fit.margin)).toBeLessThanOrEqual(40);
    expect(describeColumns(fit, 5)).toBe(`columns 1–${fit.count} of 5`);
    const scrolled = fitColumns(natural, right, 40, 3);
    expect(scrolled).toEqual({ first: 3, count: 2, widths: [20, 7], margin: true, cut: false });
    expect(describeColumns(scrolled, 5)).toBe('columns 4–5 of 5');
  });

  it('keeps every column (cut to the least) when hiding is not allowed, as tableau rows need', () => {
    const fit = fitColumns([20, 20, 20, 20, 7], [false, false, false, false, true], 40, 0, false);
    expect(fit.count).toBe(5);
    expect(fit.widths).toEqual([MIN_CUT_WIDTH, MIN_CUT_WIDTH, MIN_CUT_WIDTH, MIN_CUT_WIDTH, 7]);
  });
});
