import { describe, expect, it } from "bun:test";
import { MAX_PROVIDER_RESET_MS } from "../../src/pool/backoff.ts";
import { createKeyPool } from "../../src/pool/key-pool.ts";
import type { KeyEvent, KeyPool, KeyRecord } from "../../src/pool/types.ts";

const NONE: ReadonlySet<number> = new Set();
const policy = { baseMs: 1_000, maxMs: 60_000 };
const half = () => 0.5;
const T0 = 1_700_000_000_000;

function key(id: number, over: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id,
    value: `sk-${id}`,
    masked: `sk-${id}`,
    status: "active",
    reason: null,
    cooldownUntil: 0,
    strikes: 0,
    requests: 0,
    failures: 0,
    lastUsedAt: 0,
    ...over,
  };
}

function keys(n: number, over: Partial<KeyRecord> = {}): KeyRecord[] {
  return Array.from({ length: n }, (_, i) => key(i + 1, over));
}

const limited = (resetAt: number | null = null): KeyEvent => ({ kind: "rate-limited", reason: "429", resetAt });

/** Picks until the pool has nothing left for one request, as the attempt loop does. */
function drain(pool: KeyPool, now: number): number[] {
  const tried = new Set<number>();
  for (let k = pool.pick(now, tried); k !== undefined; k = pool.pick(now, tried)) tried.add(k.id);
  return [...tried];
}

describe("key-pool", () => {
  it("spreadsPicksEvenlyOverAllKeys", () => {
    const pool = createKeyPool(keys(5));
    const seen = new Map<number, number>();
    for (let i = 0; i < 50; i++) {
      const k = pool.pick(T0, NONE)!;
      seen.set(k.id, (seen.get(k.id) ?? 0) + 1);
    }
    expect([...seen.values()]).toEqual([10, 10, 10, 10, 10]);
    for (let id = 1; id <= 5; id++) expect(pool.get(id)!.requests).toBe(10);
  });

  it("rotatesInOrderLikeARoundRobin", () => {
    const pool = createKeyPool(keys(3));
    const ids = Array.from({ length: 7 }, () => pool.pick(T0, NONE)!.id);
    expect(ids).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });

  it("recordsRequestsAndLastUse", () => {
    const pool = createKeyPool(keys(1));
    pool.pick(T0, NONE);
    pool.pick(T0 + 5, NONE);
    const k = pool.get(1)!;
    expect(k.requests).toBe(2);
    expect(k.lastUsedAt).toBe(T0 + 5);
  });

  it("neverReturnsAnExcludedKey", () => {
    const pool = createKeyPool(keys(4));
    const exclude = new Set([1, 3]);
    for (let i = 0; i < 40; i++) expect([2, 4]).toContain(pool.pick(T0, exclude)!.id);
    expect(pool.pick(T0, new Set([1, 2, 3, 4]))).toBeUndefined();
  });

  it("givesOneRequestEachKeyAtMostOnce", () => {
    const pool = createKeyPool(keys(6));
    pool.pick(T0, NONE);
    const tried = drain(pool, T0);
    expect(tried.length).toBe(6);
    expect(new Set(tried).size).toBe(6);
  });

  it("returnsUndefinedForAnEmptyPool", () => {
    const pool = createKeyPool([]);
    expect(pool.pick(T0, NONE)).toBeUndefined();
    expect(pool.size()).toBe(0);
    expect(pool.counts(T0)).toEqual({ total: 0, active: 0, cooldown: 0, invalid: 0, disabled: 0 });
  });

  it("skipsACoolingKeyAndRecoversItAfterTheCooldown", () => {
    const pool = createKeyPool(keys(3));
    const change = pool.report(2, limited(), T0, half, policy)!;
    expect(change.status).toBe("cooldown");
    expect(change.cooldownUntil).toBe(T0 + 750);
    for (let i = 0; i < 10; i++) expect(pool.pick(T0 + 749, NONE)!.id).not.toBe(2);
    pool.takeWriteBack();
    const after = drain(pool, T0 + 750);
    expect(after.sort()).toEqual([1, 2, 3]);
    const k = pool.get(2)!;
    expect(k.status).toBe("active");
    expect(k.reason).toBeNull();
    expect(k.cooldownUntil).toBe(0);
    expect(pool.takeWriteBack().map((r) => r.id)).toContain(2);
  });

  it("honoursTheResetTimeTheProviderNames", () => {
    const pool = createKeyPool(keys(2));
    const change = pool.report(1, limited(T0 + 42_000), T0, half, policy);
    expect(change).toEqual({ keyId: 1, status: "cooldown", reason: "429", cooldownUntil: T0 + 42_000 });
    expect(drain(pool, T0 + 41_999)).toEqual([2]);
    expect(drain(pool, T0 + 42_000).sort()).toEqual([1, 2]);
  });

  it("capsAProviderResetAtADay", () => {
    const pool = createKeyPool(keys(1));
    const change = pool.report(1, limited(T0 + 10 * MAX_PROVIDER_RESET_MS), T0, half, policy)!;
    expect(change.cooldownUntil).toBe(T0 + MAX_PROVIDER_RESET_MS);
  });

  it("backsOffWhenTheNamedResetIsAlreadyPast", () => {
    const pool = createKeyPool(keys(1));
    const change = pool.report(1, limited(T0 - 5_000), T0, half, policy)!;
    expect(change.cooldownUntil).toBe(T0 + 750);
  });

  it("growsTheBackoffWithEachRateLimitInARowUpToTheCap", () => {
    const pool = createKeyPool(keys(1));
    const one = () => 1;
    let now = T0;
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const change = pool.report(1, limited(), now, one, policy)!;
      delays.push(change.cooldownUntil - now);
      now = change.cooldownUntil;
      expect(pool.pick(now, NONE)!.id).toBe(1);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(pool.get(1)!.strikes).toBe(9);
    expect(pool.get(1)!.failures).toBe(9);
  });

  it("resetsTheBackoffAfterASuccess", () => {
    const pool = createKeyPool(keys(1));
    const one = () => 1;
    pool.report(1, limited(), T0, one, policy);
    pool.report(1, limited(), T0 + 1_000, one, policy);
    expect(pool.report(1, { kind: "success" }, T0 + 3_000, one, policy)).toBeUndefined();
    expect(pool.get(1)!.strikes).toBe(0);
    const change = pool.report(1, limited(), T0 + 3_000, one, policy)!;
    expect(change.cooldownUntil).toBe(T0 + 4_000);
  });

  it("addsNoStrikeForALateRateLimitOnAKeyAlreadyCooling", () => {
    const pool = createKeyPool(keys(1));
    pool.report(1, limited(), T0, half, policy);
    expect(pool.report(1, limited(), T0 + 10, half, policy)).toBeUndefined();
    const k = pool.get(1)!;
    expect(k.strikes).toBe(1);
    expect(k.failures).toBe(2);
    expect(k.cooldownUntil).toBe(T0 + 750);
  });

  it("extendsACooldownWhenALateAnswerNamesALaterReset", () => {
    const pool = createKeyPool(keys(1));
    pool.report(1, limited(), T0, half, policy);
    const change = pool.report(1, limited(T0 + 30_000), T0 + 10, half, policy)!;
    expect(change.cooldownUntil).toBe(T0 + 30_000);
    expect(pool.pick(T0 + 750, NONE)).toBeUndefined();
    expect(pool.pick(T0 + 30_000, NONE)!.id).toBe(1);
  });

  it("coolsAKeyAgainWhoseCooldownEndedButWasNotYetReached", () => {
    const pool = createKeyPool(keys(1));
    pool.report(1, limited(), T0, half, policy);
    const change = pool.report(1, limited(), T0 + 5_000, half, policy)!;
    expect(change.cooldownUntil).toBe(T0 + 5_000 + 1_500);
    expect(pool.pick(T0 + 6_000, NONE)).toBeUndefined();
    expect(pool.pick(T0 + 6_500, NONE)!.id).toBe(1);
  });

  it("marksAnInvalidKeyAndTakesItOutOfTheRing", () => {
    const pool = createKeyPool(keys(3));
    const change = pool.report(2, { kind: "invalid", reason: "401 invalid api key" }, T0, half, policy);
    expect(change).toEqual({ keyId: 2, status: "invalid", reason: "401 invalid api key", cooldownUntil: 0 });
    expect(pool.get(2)!.failures).toBe(1);
    for (let i = 0; i < 12; i++) expect(pool.pick(T0 + i * 3_600_000, NONE)!.id).not.toBe(2);
    expect(pool.counts(T0)).toEqual({ total: 3, active: 2, cooldown: 0, invalid: 1, disabled: 0 });
  });

  it("invalidatesACoolingKeyAndNeverBringsItBack", () => {
    const pool = createKeyPool(keys(2));
    pool.report(1, limited(), T0, half, policy);
    pool.report(1, { kind: "invalid", reason: "403" }, T0 + 1, half, policy);
    expect(drain(pool, T0 + 3_600_000)).toEqual([2]);
    expect(pool.get(1)!.status).toBe("invalid");
  });

  it("returnsAnInvalidKeyToTheRingWhenRestoredByUpsert", () => {
    const pool = createKeyPool(keys(2));
    pool.report(1, { kind: "invalid", reason: "401" }, T0, half, policy);
    expect(drain(pool, T0)).toEqual([2]);
    pool.upsert([key(1)]);
    expect(drain(pool, T0).sort()).toEqual([1, 2]);
    expect(pool.counts(T0).invalid).toBe(0);
  });

  it("keepsManualAndInvalidStatesWhenALateRateLimitArrives", () => {
    const pool = createKeyPool([key(1, { status: "disabled", reason: "manual" }), key(2, { status: "invalid", reason: "401" })]);
    expect(pool.report(1, limited(), T0, half, policy)).toBeUndefined();
    expect(pool.report(2, limited(), T0, half, policy)).toBeUndefined();
    expect(pool.report(1, { kind: "invalid", reason: "401" }, T0, half, policy)).toBeUndefined();
    expect(pool.get(1)!.status).toBe("disabled");
    expect(pool.get(2)!.status).toBe("invalid");
    expect(pool.get(2)!.failures).toBe(1);
  });

  it("neverPicksADisabledKey", () => {
    const pool = createKeyPool([key(1), key(2, { status: "disabled" })]);
    for (let i = 0; i < 5; i++) expect(pool.pick(T0, NONE)!.id).toBe(1);
    pool.upsert([key(1, { status: "disabled" })]);
    expect(pool.pick(T0, NONE)).toBeUndefined();
    expect(pool.counts(T0).disabled).toBe(2);
  });

  it("leavesTheKeyAloneOnUpstreamFailureAndClientError", () => {
    const pool = createKeyPool(keys(1));
    pool.takeWriteBack();
    expect(pool.report(1, { kind: "upstream-failure", reason: "502" }, T0, half, policy)).toBeUndefined();
    expect(pool.report(1, { kind: "client-error", reason: "400" }, T0, half, policy)).toBeUndefined();
    const k = pool.get(1)!;
    expect(k.status).toBe("active");
    expect(k.failures).toBe(0);
    expect(pool.takeWriteBack()).toEqual([]);
    expect(pool.pick(T0, NONE)!.id).toBe(1);
  });

  it("ignoresReportsForUnknownKeys", () => {
    const pool = createKeyPool(keys(1));
    expect(pool.report(99, { kind: "invalid", reason: "401" }, T0, half, policy)).toBeUndefined();
    expect(pool.report(99, limited(), T0, half, policy)).toBeUndefined();
    expect(pool.size()).toBe(1);
  });

  it("coolsEveryKeyInA429StormButInvalidatesNone", () => {
    const n = 50;
    const pool = createKeyPool(keys(n));
    let seed = 1;
    const rand = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    for (let id = 1; id <= n; id++) pool.report(id, limited(), T0, rand, policy);
    expect(pool.pick(T0, NONE)).toBeUndefined();
    expect(pool.pick(T0 + 499, NONE)).toBeUndefined();
    expect(pool.counts(T0)).toEqual({ total: n, active: 0, cooldown: n, invalid: 0, disabled: 0 });
    expect(drain(pool, T0 + 1_000).length).toBe(n);
    expect(pool.counts(T0 + 1_000)).toEqual({ total: n, active: n, cooldown: 0, invalid: 0, disabled: 0 });
  });

  it("bringsStormCooledKeysBackStaggeredByJitter", () => {
    const pool = createKeyPool(keys(4));
    const rands = [0, 0.33, 0.66, 1];
    for (let id = 1; id <= 4; id++) pool.report(id, limited(), T0, () => rands[id - 1]!, policy);
    expect(drain(pool, T0 + 500)).toEqual([1]);
    expect(drain(pool, T0 + 700).length).toBe(2);
    expect(drain(pool, T0 + 1_000).length).toBe(4);
  });

  it("countsAnExpiredCooldownAsActive", () => {
    const pool = createKeyPool(keys(2));
    pool.report(1, limited(T0 + 1_000), T0, half, policy);
    expect(pool.counts(T0 + 999)).toEqual({ total: 2, active: 1, cooldown: 1, invalid: 0, disabled: 0 });
    expect(pool.counts(T0 + 1_000)).toEqual({ total: 2, active: 2, cooldown: 0, invalid: 0, disabled: 0 });
  });

  it("handsOutChangedKeysOnceThroughTakeDirty", () => {
    const pool = createKeyPool(keys(3));
    expect(pool.takeWriteBack()).toEqual([]);
    pool.pick(T0, NONE);
    pool.pick(T0, NONE);
    pool.pick(T0, NONE);
    pool.pick(T0, NONE);
    pool.report(3, { kind: "invalid", reason: "401" }, T0, half, policy);
    const dirty = pool.takeWriteBack();
    expect(dirty.map((r) => r.id).sort()).toEqual([1, 2, 3]);
    expect(dirty.find((r) => r.id === 1)!.requests).toBe(2);
    expect(pool.takeWriteBack()).toEqual([]);
  });

  it("doesNotHandOutRemovedKeysAsDirty", () => {
    const pool = createKeyPool(keys(2));
    pool.pick(T0, NONE);
    pool.remove([1]);
    pool.upsert([key(7)]);
    pool.pick(T0, NONE);
    pool.pick(T0, NONE);
    expect(pool.takeWriteBack().map((r) => r.id).sort()).toEqual([2, 7]);
  });

  it("forgetsRemovedKeys", () => {
    const pool = createKeyPool(keys(3));
    pool.remove([2, 42]);
    expect(pool.size()).toBe(2);
    expect(pool.get(2)).toBeUndefined();
    expect(drain(pool, T0).sort()).toEqual([1, 3]);
    expect(pool.report(2, { kind: "invalid", reason: "x" }, T0, half, policy)).toBeUndefined();
    expect(pool.counts(T0)).toEqual({ total: 2, active: 2, cooldown: 0, invalid: 0, disabled: 0 });
  });

  it("forgetsTheCooldownOfARemovedKey", () => {
    const pool = createKeyPool(keys(1));
    pool.report(1, limited(T0 + 1_000), T0, half, policy);
    pool.remove([1]);
    pool.upsert([key(2)]);
    expect(pool.counts(T0 + 2_000)).toEqual({ total: 1, active: 1, cooldown: 0, invalid: 0, disabled: 0 });
    expect(drain(pool, T0 + 2_000)).toEqual([2]);
  });

  it("replacesAKeyByIdOnUpsert", () => {
    const pool = createKeyPool(keys(2));
    pool.upsert([key(1, { value: "sk-new" })]);
    expect(pool.size()).toBe(2);
    expect(pool.get(1)!.value).toBe("sk-new");
    const ids = Array.from({ length: 4 }, () => pool.pick(T0, NONE)!.id);
    expect(ids).toEqual([1, 2, 1, 2]);
  });

  it("appliesACooldownUpsertedFromAnotherNode", () => {
    const pool = createKeyPool(keys(2));
    pool.upsert([key(1, { status: "cooldown", reason: "429", cooldownUntil: T0 + 5_000 })]);
    expect(drain(pool, T0)).toEqual([2]);
    expect(drain(pool, T0 + 5_000).sort()).toEqual([1, 2]);
    expect(pool.get(1)!.status).toBe("active");
  });

  it("followsTheLatestCooldownAfterManyUpserts", () => {
    const pool = createKeyPool(keys(2));
    for (let i = 0; i < 5_000; i++) pool.upsert([key(1, { status: "cooldown", cooldownUntil: T0 + 10_000 - i })]);
    expect(drain(pool, T0 + 5_000)).toEqual([2]);
    expect(drain(pool, T0 + 5_001).sort()).toEqual([1, 2]);
  });

  it("keepsItsOwnCopyOfTheRecordsItIsGiven", () => {
    const input = keys(2);
    const pool = createKeyPool(input);
    pool.pick(T0, NONE);
    pool.report(2, { kind: "invalid", reason: "401" }, T0, half, policy);
    expect(input[0]!.requests).toBe(0);
    expect(input[1]!.status).toBe("active");
  });

  it("clearsStaleCooldownFieldsOfKeysThatAreNotCooling", () => {
    const pool = createKeyPool([key(1, { status: "active", reason: "old", cooldownUntil: T0 + 9_999 })]);
    expect(pool.get(1)!.cooldownUntil).toBe(0);
    expect(pool.get(1)!.reason).toBeNull();
    expect(pool.pick(T0, NONE)!.id).toBe(1);
  });

  describe("rpm cap", () => {
    it("skipsKeysAtTheirCapAndFreesThemAfterTheMinute", () => {
      const pool = createKeyPool(keys(3));
      pool.setRpmCap(2);
      for (let i = 0; i < 6; i++) expect(pool.pick(T0 + i, NONE)).toBeDefined();
      expect(pool.pick(T0 + 10, NONE)).toBeUndefined();
      expect(pool.pick(T0 + 30_000, NONE)).toBeUndefined();
      for (let id = 1; id <= 3; id++) expect(pool.get(id)!.requests).toBe(2);
      expect(drain(pool, T0 + 60_000).length).toBe(3);
    });

    it("skipsOnlyTheKeysAtTheirCap", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(2);
      expect(pool.pick(T0, new Set([2]))!.id).toBe(1);
      expect(pool.pick(T0, new Set([2]))!.id).toBe(1);
      expect(pool.pick(T0, NONE)!.id).toBe(2);
      expect(pool.pick(T0, NONE)!.id).toBe(2);
      expect(pool.pick(T0, NONE)).toBeUndefined();
    });

    it("refusesAtTheCapEvenWhenAnotherRequestExcludesDifferentKeys", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(1);
      pool.pick(T0, NONE);
      expect(pool.pick(T0, new Set([2]))).toBeUndefined();
      expect(pool.pick(T0, NONE)!.id).toBe(2);
      expect(pool.pick(T0, NONE)).toBeUndefined();
    });

    it("picksANewKeyAtOnceWhileTheOthersAreAtTheirCap", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(1);
      drain(pool, T0);
      expect(pool.pick(T0, NONE)).toBeUndefined();
      pool.upsert([key(3)]);
      expect(pool.pick(T0 + 1, NONE)!.id).toBe(3);
    });

    it("picksAgainAtOnceWhenTheCapIsLiftedOrRaised", () => {
      const pool = createKeyPool(keys(1));
      pool.setRpmCap(1);
      pool.pick(T0, NONE);
      expect(pool.pick(T0, NONE)).toBeUndefined();
      pool.setRpmCap(2);
      expect(pool.pick(T0, NONE)!.id).toBe(1);
      expect(pool.pick(T0, NONE)).toBeUndefined();
      pool.setRpmCap(0);
      expect(pool.pick(T0, NONE)!.id).toBe(1);
    });

    it("picksAKeyBackFromCooldownEvenWhileTheOthersAreAtTheirCap", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(1);
      pool.report(2, limited(T0 + 2_000), T0, half, policy);
      pool.pick(T0, NONE);
      expect(pool.pick(T0 + 1_000, NONE)).toBeUndefined();
      expect(pool.pick(T0 + 2_000, NONE)!.id).toBe(2);
    });

    it("startsAReusedSlotWithAnEmptyWindow", () => {
      const pool = createKeyPool(keys(1));
      pool.setRpmCap(1);
      pool.pick(T0, NONE);
      pool.remove([1]);
      pool.upsert([key(2)]);
      expect(pool.pick(T0, NONE)!.id).toBe(2);
    });

    it("treatsNonsenseCapsAsNoCap", () => {
      const pool = createKeyPool(keys(1));
      pool.setRpmCap(-5);
      for (let i = 0; i < 100; i++) expect(pool.pick(T0, NONE)).toBeDefined();
      pool.setRpmCap(Number.NaN);
      for (let i = 0; i < 100; i++) expect(pool.pick(T0, NONE)).toBeDefined();
    });
  });

  describe("100,000 keys", () => {
    const N = 100_000;

    it("picksOnlyActiveKeysWhenMostAreCooling", () => {
      const pool = createKeyPool(keys(N));
      for (let id = 1; id <= N; id++) if (id % 100 !== 0) pool.report(id, limited(T0 + 60_000), T0, half, policy);
      expect(pool.counts(T0)).toEqual({ total: N, active: 1_000, cooldown: 99_000, invalid: 0, disabled: 0 });
      const seen = new Set<number>();
      for (let i = 0; i < 1_000; i++) {
        const k = pool.pick(T0 + 1, NONE)!;
        expect(k.id % 100).toBe(0);
        seen.add(k.id);
      }
      expect(seen.size).toBe(1_000);
      expect(pool.counts(T0 + 60_000).active).toBe(N);
      expect(drain(pool, T0 + 60_000).length).toBe(N);
    });

    it("returnsUndefinedWhenEveryKeyIsCooling", () => {
      const pool = createKeyPool(keys(N));
      for (let id = 1; id <= N; id++) pool.report(id, limited(T0 + 60_000 + id), T0, half, policy);
      for (let i = 0; i < 1_000; i++) expect(pool.pick(T0 + i, NONE)).toBeUndefined();
      expect(pool.pick(T0 + 60_001, NONE)!.id).toBe(1);
      expect(pool.counts(T0 + 60_001).invalid).toBe(0);
    });

    it("keepsThePoolConsistentThroughMixedChurn", () => {
      const pool = createKeyPool(keys(N));
      let seed = 42;
      const rand = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
      let now = T0;
      for (let step = 0; step < 20_000; step++) {
        now += 3;
        const k = pool.pick(now, NONE);
        if (k === undefined) continue;
        expect(k.status).toBe("active");
        const r = rand();
        if (r < 0.3) pool.report(k.id, limited(), now, rand, policy);
        else if (r < 0.31) pool.report(k.id, { kind: "invalid", reason: "401" }, now, rand, policy);
        else if (r < 0.32) pool.remove([k.id]);
      }
      const c = pool.counts(now);
      expect(c.active + c.cooldown + c.invalid + c.disabled).toBe(c.total);
      expect(c.total).toBe(pool.size());
      let cooling = 0;
      for (let id = 1; id <= N; id++) {
        const rec = pool.get(id);
        if (rec?.status === "cooldown") {
          cooling++;
          expect(rec.cooldownUntil).toBeGreaterThan(now);
        }
      }
      expect(cooling).toBe(c.cooldown);
      expect(drain(pool, now + 120_000).length).toBe(c.total - c.invalid);
    });
  });

  describe("nextUsableAt", () => {
    it("isNowWhileAKeyIsUsable", () => {
      const pool = createKeyPool(keys(2));
      expect(pool.nextUsableAt(T0)).toBe(T0);
    });

    it("isTheEarliestCooldownEndWhenEveryKeyCools", () => {
      const pool = createKeyPool(keys(2));
      pool.report(1, limited(T0 + 30_000), T0, half, policy);
      pool.report(2, limited(T0 + 10_000), T0, half, policy);
      expect(pool.pick(T0, NONE)).toBeUndefined();
      expect(pool.nextUsableAt(T0)).toBe(T0 + 10_000);
      expect(pool.nextUsableAt(T0 + 10_000)).toBe(T0 + 10_000);
    });

    it("ignoresACooldownThatEndedAnotherWay", () => {
      const pool = createKeyPool(keys(2));
      pool.report(1, limited(T0 + 5_000), T0, half, policy);
      pool.report(2, limited(T0 + 20_000), T0, half, policy);
      pool.upsert([key(1, { status: "disabled" })]);
      expect(pool.nextUsableAt(T0)).toBe(T0 + 20_000);
    });

    it("isWhenAKeyAtItsPerMinuteCapIsFreeAgain", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(1);
      const start = 1_700_000_000_000; // a whole number of 10 s buckets
      pool.pick(start, NONE);
      pool.pick(start + 25_000, NONE);
      expect(pool.pick(start + 25_000, NONE)).toBeUndefined();
      expect(pool.nextUsableAt(start + 25_000)).toBe(start + 60_000);
    });

    it("takesTheSoonerOfACapWindowAndACooldown", () => {
      const pool = createKeyPool(keys(2));
      pool.setRpmCap(1);
      pool.pick(T0, NONE);
      pool.report(2, limited(T0 + 30_000), T0, half, policy);
      expect(pool.nextUsableAt(T0)).toBe(T0 + 30_000);
      pool.report(2, limited(T0 + 600_000), T0, half, policy);
      expect(pool.nextUsableAt(T0)).toBeLessThanOrEqual(T0 + 60_000);
    });

    it("isUndefinedWhenNoKeyComesBackByItself", () => {
      expect(createKeyPool([]).nextUsableAt(T0)).toBeUndefined();
      const pool = createKeyPool([key(1, { status: "disabled" }), key(2)]);
      pool.report(2, { kind: "invalid", reason: "401" }, T0, half, policy);
      expect(pool.nextUsableAt(T0)).toBeUndefined();
    });
  });

  describe("takeWriteBack", () => {
    it("givesTheStatusTheDatabaseHeldBeforeEachChange", () => {
      const pool = createKeyPool(keys(2));
      pool.pick(T0, NONE);
      pool.report(2, { kind: "invalid", reason: "401 bad key" }, T0, half, policy);
      const rows = pool.takeWriteBack().sort((a, b) => a.id - b.id);
      expect(rows).toEqual([
        { id: 1, status: "active", reason: null, cooldownUntil: 0, requests: 1, failures: 0, lastUsedAt: T0, storedStatus: "active" },
        { id: 2, status: "invalid", reason: "401 bad key", cooldownUntil: 0, requests: 0, failures: 1, lastUsedAt: 0, storedStatus: "active" },
      ]);
      expect(pool.takeWriteBack()).toEqual([]);
      // After a write-back the database is assumed to hold the new status.
      pool.report(2, { kind: "invalid", reason: "again" }, T0, half, policy);
      expect(pool.takeWriteBack()).toMatchObject([{ id: 2, status: "invalid", storedStatus: "invalid" }]);
    });

    it("takesTheStatusOfAReloadedRecordAsStored", () => {
      const pool = createKeyPool(keys(1));
      pool.report(1, limited(T0 + 5_000), T0, half, policy);
      pool.upsert([key(1, { status: "disabled" })]);
      pool.report(1, limited(T0 + 9_000), T0, half, policy);
      expect(pool.takeWriteBack()).toMatchObject([{ id: 1, status: "disabled", storedStatus: "disabled" }]);
    });

    it("sharesTheDirtySetWithTakeDirty", () => {
      const pool = createKeyPool(keys(1));
      pool.pick(T0, NONE);
      expect(pool.takeWriteBack().map((r) => r.id)).toEqual([1]);
      expect(pool.takeWriteBack()).toEqual([]);
    });
  });
});
