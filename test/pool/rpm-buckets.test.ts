import { describe, expect, it } from "bun:test";
import { RPM_BUCKET_MS, createRpmBuckets } from "../../src/pool/rpm-buckets.ts";

describe("rpm-buckets", () => {
  it("countsRequestsWithinTheLastMinute", () => {
    const rpm = createRpmBuckets();
    rpm.add(0, 1_000);
    rpm.add(0, 15_000);
    rpm.add(0, 55_000);
    expect(rpm.count(0, 59_999)).toBe(3);
  });

  it("dropsABucketOnceItIsAMinuteOld", () => {
    const rpm = createRpmBuckets();
    rpm.add(0, 1_000);
    rpm.add(0, 15_000);
    expect(rpm.count(0, 60_000)).toBe(1);
    expect(rpm.count(0, 70_000)).toBe(0);
  });

  it("forgetsEverythingAfterALongSilence", () => {
    const rpm = createRpmBuckets();
    for (let i = 0; i < 10; i++) rpm.add(0, i * 5_000);
    expect(rpm.count(0, 10 * 60_000)).toBe(0);
  });

  it("keepsSlotsApartAndGrowsOnDemand", () => {
    const rpm = createRpmBuckets();
    rpm.ensure(1_000);
    rpm.add(999, 0);
    rpm.add(999, 0);
    rpm.add(3, 0);
    expect(rpm.count(999, 0)).toBe(2);
    expect(rpm.count(3, 0)).toBe(1);
    expect(rpm.count(4, 0)).toBe(0);
  });

  it("resetsASlotForReuse", () => {
    const rpm = createRpmBuckets();
    rpm.add(2, 100_000);
    rpm.reset(2);
    expect(rpm.count(2, 100_000)).toBe(0);
  });

  it("tellsWhenTheWindowNextMoves", () => {
    const rpm = createRpmBuckets();
    expect(rpm.nextShiftAt(0)).toBe(RPM_BUCKET_MS);
    expect(rpm.nextShiftAt(RPM_BUCKET_MS * 3 + 1)).toBe(RPM_BUCKET_MS * 4);
  });

  it("tellsWhenASlotAtItsCapIsFreeAgain", () => {
    const rpm = createRpmBuckets();
    const t0 = RPM_BUCKET_MS * 100;
    expect(rpm.freeAt(0, t0, 2)).toBe(t0);
    rpm.add(0, t0);
    rpm.add(0, t0 + RPM_BUCKET_MS * 2);
    // Under the cap: usable now.
    expect(rpm.freeAt(0, t0 + RPM_BUCKET_MS * 2, 3)).toBe(t0 + RPM_BUCKET_MS * 2);
    // At the cap: free when the oldest request's bucket leaves the minute.
    expect(rpm.freeAt(0, t0 + RPM_BUCKET_MS * 2, 2)).toBe(t0 + RPM_BUCKET_MS * 6);
    // A cap lowered below the count: both requests must age out.
    expect(rpm.freeAt(0, t0 + RPM_BUCKET_MS * 2, 1)).toBe(t0 + RPM_BUCKET_MS * 8);
    expect(rpm.count(0, t0 + RPM_BUCKET_MS * 6)).toBe(1);
  });
});
