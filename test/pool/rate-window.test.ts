import { describe, expect, it } from "bun:test";
import { createRateWindow } from "../../src/pool/rate-window.ts";

const MINUTE = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % MINUTE);

describe("rate-window", () => {
  it("allowsLimitRequestsPerMinuteThenRefuses", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 5; i++) expect(rw.take("a", 5, T0 + i)).toEqual({ allowed: true });
    const refused = rw.take("a", 5, T0 + 10);
    expect(refused.allowed).toBe(false);
  });

  it("tellsARetryAfterThatEndsWithinTheNextMinute", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 5; i++) rw.take("a", 5, T0 + 10_000);
    const refused = rw.take("a", 5, T0 + 10_000);
    if (refused.allowed) throw new Error("expected a refusal");
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2 * MINUTE);
  });

  it("allowsAgainOnceRetryAfterHasPassed", () => {
    for (const [limit, at] of [[1, 0], [5, 10_000], [10, 59_000], [60, 30_000]] as const) {
      const rw = createRateWindow();
      for (let i = 0; i < limit; i++) expect(rw.take("a", limit, T0 + at).allowed).toBe(true);
      const refused = rw.take("a", limit, T0 + at);
      if (refused.allowed) throw new Error("expected a refusal");
      expect(rw.take("a", limit, T0 + at + refused.retryAfterMs - 2).allowed).toBe(false);
      expect(rw.take("a", limit, T0 + at + refused.retryAfterMs).allowed).toBe(true);
    }
  });

  it("weighsThePreviousMinuteAsItSlidesOut", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 10; i++) rw.take("a", 10, T0 + 59_000);
    const allowedAt = (now: number) => {
      let n = 0;
      while (rw.take("a", 10, now).allowed) n++;
      return n;
    };
    // 1s in, 59/60 of the previous ten still weigh: one fits. Halfway, half of them: four more.
    expect(allowedAt(T0 + MINUTE + 1_000)).toBe(1);
    expect(allowedAt(T0 + MINUTE + 30_000)).toBe(4);
  });

  it("refusesWithinTheMinuteEvenWhenThePreviousWasQuiet", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 3; i++) rw.take("a", 3, T0 + MINUTE - 1);
    const refused = rw.take("a", 3, T0 + MINUTE - 1);
    if (refused.allowed) throw new Error("expected a refusal");
    expect(rw.take("a", 3, T0 + MINUTE - 1 + refused.retryAfterMs).allowed).toBe(true);
  });

  it("doesNotCountRefusedRequests", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 2; i++) rw.take("a", 2, T0);
    for (let i = 0; i < 50; i++) rw.take("a", 2, T0 + 1);
    expect(rw.take("a", 2, T0 + 2 * MINUTE).allowed).toBe(true);
  });

  it("keepsIdsApart", () => {
    const rw = createRateWindow();
    expect(rw.take("a", 1, T0).allowed).toBe(true);
    expect(rw.take("a", 1, T0).allowed).toBe(false);
    expect(rw.take("b", 1, T0).allowed).toBe(true);
    expect(rw.take(7, 1, T0).allowed).toBe(true);
  });

  it("treatsALimitOfZeroAsNoLimit", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 1_000; i++) expect(rw.take("a", 0, T0).allowed).toBe(true);
    expect(rw.size()).toBe(0);
  });

  it("forgetsIdsThatHaveBeenIdle", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 1_000; i++) rw.take(`id-${i}`, 10, T0);
    expect(rw.size()).toBe(1_000);
    rw.take("fresh", 10, T0 + MINUTE);
    expect(rw.size()).toBe(1_001);
    rw.take("fresh", 10, T0 + 3 * MINUTE);
    expect(rw.size()).toBe(1);
  });

  it("keepsIdsThatAreStillInTheWindow", () => {
    const rw = createRateWindow();
    for (let i = 0; i < 10; i++) rw.take("a", 10, T0 + MINUTE + 1);
    rw.take("b", 10, T0 + 2 * MINUTE);
    expect(rw.size()).toBe(2);
    let allowed = 0;
    while (rw.take("a", 10, T0 + 2 * MINUTE + 1_000).allowed) allowed++;
    expect(allowed).toBe(1);
  });
});
