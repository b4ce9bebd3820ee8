import { describe, expect, it } from "bun:test";
import { MAX_PROVIDER_RESET_MS, cooldownUntil, providerResetUntil } from "../../src/pool/backoff.ts";

const policy = { baseMs: 1_000, maxMs: 60_000 };
const fixed = (r: number) => () => r;

describe("backoff", () => {
  it("doublesTheCooldownWithEachStrike", () => {
    const now = 1_000_000;
    const delays = [0, 1, 2, 3, 4].map((s) => cooldownUntil(s, now, fixed(1), policy) - now);
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it("neverWaitsLongerThanMaxMs", () => {
    for (const strikes of [6, 7, 10, 20]) {
      expect(cooldownUntil(strikes, 0, fixed(1), policy)).toBe(60_000);
      expect(cooldownUntil(strikes, 0, fixed(0), policy)).toBe(30_000);
    }
  });

  it("keepsTheJitterBetweenHalfAndAllOfTheCeiling", () => {
    let seed = 7;
    const lcg = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let strikes = 0; strikes < 10; strikes++) {
      const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** strikes);
      for (let i = 0; i < 200; i++) {
        const d = cooldownUntil(strikes, 0, lcg, policy);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("spreadsKeysThatStrikeTogether", () => {
    const a = cooldownUntil(3, 0, fixed(0.1), policy);
    const b = cooldownUntil(3, 0, fixed(0.9), policy);
    expect(b - a).toBeGreaterThan(2_000);
  });

  it("staysFiniteForAbsurdStrikeCounts", () => {
    expect(cooldownUntil(10_000, 5, fixed(0.5), policy)).toBe(5 + 45_000);
    expect(cooldownUntil(-3, 0, fixed(1), policy)).toBe(1_000);
  });

  it("clampsAMisbehavingRandomSource", () => {
    expect(cooldownUntil(0, 0, fixed(7), policy)).toBe(1_000);
    expect(cooldownUntil(0, 0, fixed(-7), policy)).toBe(500);
  });

  it("treatsAMaxBelowBaseAsBase", () => {
    expect(cooldownUntil(5, 0, fixed(1), { baseMs: 2_000, maxMs: 100 })).toBe(2_000);
  });

  it("honoursAResetTheProviderNamesInTheFuture", () => {
    expect(providerResetUntil(5_000, 1_000)).toBe(5_000);
  });

  it("ignoresAMissingOrPastReset", () => {
    expect(providerResetUntil(null, 1_000)).toBeUndefined();
    expect(providerResetUntil(1_000, 1_000)).toBeUndefined();
    expect(providerResetUntil(500, 1_000)).toBeUndefined();
    expect(providerResetUntil(Number.NaN, 1_000)).toBeUndefined();
  });

  it("capsAProviderResetAtADay", () => {
    expect(providerResetUntil(Number.MAX_SAFE_INTEGER, 1_000)).toBe(1_000 + MAX_PROVIDER_RESET_MS);
    expect(providerResetUntil(Infinity, 1_000)).toBeUndefined();
  });
});
