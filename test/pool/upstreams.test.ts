import { describe, expect, it } from "bun:test";
import { createUpstreamSet } from "../../src/pool/upstreams.ts";

const policy = { failureThreshold: 3, openMs: 30_000 };
const T0 = 1_700_000_000_000;

function picks(set: ReturnType<typeof createUpstreamSet>, n: number, now = T0, exclude?: ReadonlySet<string>): (string | undefined)[] {
  return Array.from({ length: n }, () => set.pick(now, exclude)?.url);
}

function trip(set: ReturnType<typeof createUpstreamSet>, url: string, now: number): void {
  for (let i = 0; i < policy.failureThreshold; i++) set.reportFailure(url, now);
}

describe("upstreams", () => {
  it("followsNginxSmoothWeightedRoundRobinFor5To1To1", () => {
    const set = createUpstreamSet([{ url: "a", weight: 5 }, { url: "b", weight: 1 }, { url: "c", weight: 1 }], policy);
    const round = ["a", "a", "b", "a", "c", "a", "a"];
    expect(picks(set, 14)).toEqual([...round, ...round]);
  });

  it("matchesTheWeightsOverManyPicks", () => {
    const set = createUpstreamSet([{ url: "a", weight: 3 }, { url: "b", weight: 2 }, { url: "c", weight: 1 }], policy);
    const tally = new Map<string, number>();
    for (const url of picks(set, 600)) tally.set(url!, (tally.get(url!) ?? 0) + 1);
    expect(Object.fromEntries(tally)).toEqual({ a: 300, b: 200, c: 100 });
  });

  it("alternatesBetweenEqualWeights", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }, { url: "b", weight: 1 }], policy);
    expect(picks(set, 4)).toEqual(["a", "b", "a", "b"]);
  });

  it("neverPicksAWeightZeroUpstream", () => {
    const set = createUpstreamSet([{ url: "a", weight: 0 }, { url: "b", weight: 1 }, { url: "c", weight: -2 }], policy);
    expect(new Set(picks(set, 20))).toEqual(new Set(["b"]));
    expect(createUpstreamSet([{ url: "a", weight: 0 }], policy).pick(T0)).toBeUndefined();
  });

  it("returnsUndefinedWithoutUpstreams", () => {
    expect(createUpstreamSet([], policy).pick(T0)).toBeUndefined();
  });

  it("skipsAnExcludedUpstreamWhileAnotherIsUsable", () => {
    const set = createUpstreamSet([{ url: "a", weight: 5 }, { url: "b", weight: 1 }], policy);
    expect(picks(set, 5, T0, new Set(["a"]))).toEqual(["b", "b", "b", "b", "b"]);
  });

  it("retriesAnExcludedUpstreamWhenItIsTheOnlyUsableOne", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }, { url: "b", weight: 1 }], policy);
    trip(set, "b", T0);
    expect(set.pick(T0, new Set(["a"]))?.url).toBe("a");
    expect(set.pick(T0, new Set(["a", "b"]))?.url).toBe("a");
  });

  it("opensTheCircuitAfterTheThresholdOfConsecutiveFailures", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }, { url: "b", weight: 1 }], policy);
    set.reportFailure("a", T0);
    set.reportFailure("a", T0);
    expect(set.states(T0)[0]).toEqual({ url: "a", weight: 1, state: "closed", failures: 2 });
    set.reportFailure("a", T0);
    expect(set.states(T0)[0]!.state).toBe("open");
    expect(new Set(picks(set, 10, T0 + 1))).toEqual(new Set(["b"]));
  });

  it("forgetsFailuresAfterASuccess", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    set.reportFailure("a", T0);
    set.reportFailure("a", T0);
    set.reportSuccess("a", T0);
    set.reportFailure("a", T0);
    set.reportFailure("a", T0);
    expect(set.states(T0)[0]).toEqual({ url: "a", weight: 1, state: "closed", failures: 2 });
  });

  it("returnsUndefinedWhenEveryCircuitIsOpen", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }, { url: "b", weight: 3 }], policy);
    trip(set, "a", T0);
    trip(set, "b", T0);
    expect(set.pick(T0 + 1)).toBeUndefined();
    expect(set.pick(T0 + 29_999, new Set(["a"]))).toBeUndefined();
  });

  it("letsExactlyOneProbeThroughWhenHalfOpen", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    trip(set, "a", T0);
    expect(set.pick(T0 + 29_999)).toBeUndefined();
    expect(set.states(T0 + 30_000)[0]!.state).toBe("half-open");
    expect(set.pick(T0 + 30_000)?.url).toBe("a");
    expect(set.pick(T0 + 30_001)).toBeUndefined();
    expect(set.pick(T0 + 45_000)).toBeUndefined();
  });

  it("sendsTheOthersElsewhereWhileTheProbeIsInFlight", () => {
    const set = createUpstreamSet([{ url: "a", weight: 10 }, { url: "b", weight: 1 }], policy);
    trip(set, "a", T0);
    expect(set.pick(T0 + 30_000)?.url).toBe("a");
    expect(new Set(picks(set, 10, T0 + 30_001))).toEqual(new Set(["b"]));
  });

  it("closesTheCircuitWhenTheProbeSucceeds", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    trip(set, "a", T0);
    set.pick(T0 + 30_000);
    set.reportSuccess("a", T0 + 30_100);
    expect(set.states(T0 + 30_100)[0]).toEqual({ url: "a", weight: 1, state: "closed", failures: 0 });
    expect(picks(set, 3, T0 + 30_101)).toEqual(["a", "a", "a"]);
  });

  it("reopensTheCircuitWhenTheProbeFails", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    trip(set, "a", T0);
    set.pick(T0 + 30_000);
    set.reportFailure("a", T0 + 30_500);
    expect(set.states(T0 + 30_500)[0]!.state).toBe("open");
    expect(set.pick(T0 + 60_499)).toBeUndefined();
    expect(set.pick(T0 + 60_500)?.url).toBe("a");
  });

  it("allowsAnotherProbeWhenTheFirstNeverAnswers", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    trip(set, "a", T0);
    expect(set.pick(T0 + 30_000)?.url).toBe("a");
    expect(set.pick(T0 + 59_999)).toBeUndefined();
    expect(set.pick(T0 + 60_000)?.url).toBe("a");
    expect(set.pick(T0 + 60_001)).toBeUndefined();
  });

  it("reportsEveryStateForTheApi", () => {
    const set = createUpstreamSet([{ url: "a", weight: 2 }, { url: "b", weight: 1 }, { url: "c", weight: 1 }], policy);
    trip(set, "b", T0);
    trip(set, "c", T0 - 30_000);
    expect(set.states(T0)).toEqual([
      { url: "a", weight: 2, state: "closed", failures: 0 },
      { url: "b", weight: 1, state: "open", failures: 3 },
      { url: "c", weight: 1, state: "half-open", failures: 3 },
    ]);
  });

  it("ignoresReportsForUnknownUrls", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], policy);
    set.reportFailure("zzz", T0);
    set.reportSuccess("zzz", T0);
    expect(set.states(T0)).toEqual([{ url: "a", weight: 1, state: "closed", failures: 0 }]);
  });

  it("treatsAThresholdBelowOneAsOne", () => {
    const set = createUpstreamSet([{ url: "a", weight: 1 }], { failureThreshold: 0, openMs: 10 });
    set.reportFailure("a", T0);
    expect(set.states(T0)[0]!.state).toBe("open");
  });

  it("keepsWeightedOrderAmongTheUpstreamsLeftWhenOneOpens", () => {
    const set = createUpstreamSet([{ url: "a", weight: 5 }, { url: "b", weight: 2 }, { url: "c", weight: 1 }], policy);
    trip(set, "a", T0);
    const tally = new Map<string, number>();
    for (const url of picks(set, 300, T0 + 1)) tally.set(url!, (tally.get(url!) ?? 0) + 1);
    expect(Object.fromEntries(tally)).toEqual({ b: 200, c: 100 });
  });
});
