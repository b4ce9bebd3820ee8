import { describe, expect, it } from "bun:test";
import { LoginLimiter } from "../../src/admin/login-limiter.ts";

describe("admin/login-limiter", () => {
  it("blocksAnAddressAfterMaxFailuresUntilTheOldestAgesOut", () => {
    let now = 0;
    const limiter = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSeconds("a")).toBe(0);
      limiter.recordFailure("a");
      now += 1000;
    }
    expect(limiter.retryAfterSeconds("a")).toBe(57);
    expect(limiter.retryAfterSeconds("b")).toBe(0);
    now = 60_001;
    expect(limiter.retryAfterSeconds("a")).toBe(0);
  });

  it("forgetsFailuresAfterASuccess", () => {
    const limiter = new LoginLimiter({ maxFailures: 2, windowMs: 60_000, now: () => 0 });
    limiter.recordFailure("a");
    limiter.recordSuccess("a");
    limiter.recordFailure("a");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
  });

  it("tracksABoundedNumberOfAddresses", () => {
    const limiter = new LoginLimiter({ maxFailures: 1, windowMs: 60_000, now: () => 0, maxAddresses: 2 });
    limiter.recordFailure("a");
    limiter.recordFailure("b");
    limiter.recordFailure("c");
    expect(limiter.retryAfterSeconds("a")).toBe(0);
    expect(limiter.retryAfterSeconds("c")).toBeGreaterThan(0);
  });
});
