import { describe, expect, it } from "bun:test";
import { computeWindow, pagesFor } from "../src/lib/virtual-window.ts";

describe("virtual window", () => {
  it("rendersOnlyTheRowsInViewPlusOverscan", () => {
    const w = computeWindow({ scrollTop: 0, viewportHeight: 440, rowHeight: 44, total: 100_000, overscan: 5 });
    expect(w).toEqual({ start: 0, end: 16, offsetTop: 0, totalHeight: 4_400_000 });
  });

  it("followsTheScrollPositionDeepIntoAHugeList", () => {
    const w = computeWindow({ scrollTop: 44 * 50_000 + 10, viewportHeight: 440, rowHeight: 44, total: 100_000, overscan: 5 });
    expect(w.start).toBe(49_995);
    expect(w.end).toBe(50_016);
    expect(w.offsetTop).toBe(49_995 * 44);
    expect(w.end - w.start).toBeLessThan(30);
  });

  it("clampsToTheListsEnds", () => {
    expect(computeWindow({ scrollTop: 1e9, viewportHeight: 400, rowHeight: 40, total: 10 })).toMatchObject({ start: 10, end: 10 });
    expect(computeWindow({ scrollTop: -50, viewportHeight: 400, rowHeight: 40, total: 3 })).toMatchObject({ start: 0, end: 3 });
    expect(computeWindow({ scrollTop: 0, viewportHeight: 400, rowHeight: 40, total: 0 })).toMatchObject({ start: 0, end: 0, totalHeight: 0 });
  });

  it("namesThePagesHoldingARange", () => {
    expect(pagesFor(0, 16, 200)).toEqual([1]);
    expect(pagesFor(190, 215, 200)).toEqual([1, 2]);
    expect(pagesFor(999, 1000, 200)).toEqual([5]);
    expect(pagesFor(5, 5, 200)).toEqual([]);
  });
});
