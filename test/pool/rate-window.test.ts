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

  it("holdsTheLimitOverEveryRollingMinuteToWithinASecond", () => {
    // Requests arrive at random; in no 61 s span may more than `limit` be admitted (the window
    // moves in one-second steps, so a request may leave it up to a second early).
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const limit of [1, 3, 10]) {
      const rw = createRateWindow();
      const admitted: number[] = [];
      let t = T0;
      for (let i = 0; i < 2_000; i++) {
        t += Math.floor(rand() * 4_000);
        if (rw.take("a", limit, t).allowed) admitted.push(t);
      }
      for (let i = 0; i + limit < admitted.length; i++) expect(admitted[i + limit]! - admitted[i]!).toBeGreaterThanOrEqual(MINUTE - 1_000);
      expect(admitted.length).toBeGreaterThan(limit);
    }
  });

  it("refusesABurstRightAfterTheMinuteTurns", () => {
    // A two-counter estimate would let half the limit through again 30 s later; a window does not.
    const rw = createRateWindow();
    for (let i = 0; i < 10; i++) expect(rw.take("a", 10, T0 + 59_000).allowed).toBe(true);
    expect(rw.take("a", 10, T0 + MINUTE + 30_000).allowed).toBe(false);
    expect(rw.take("a", 10, T0 + 59_000 + MINUTE - 1).allowed).toBe(false);
    let allowed = 0;
    while (rw.take("a", 10, T0 + 59_000 + MINUTE).allowed) allowed++;
    expect(allowed).toBe(10);
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
    expect(rw.take("a", 10, T0 + 2 * MINUTE - 1).allowed).toBe(false);
    let allowed = 0;
    while (rw.take("a", 10, T0 + 2 * MINUTE).allowed) allowed++;
    expect(allowed).toBe(10);
  });
});
