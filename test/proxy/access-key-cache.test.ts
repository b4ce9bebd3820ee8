// The verified-secret cache in front of the access-key hash lookup: hits skip the hash, misses are
// never remembered, the size stays bounded and clear() forgets everything.

import { describe, expect, it } from "bun:test";
import { createAccessKeyCache } from "../../src/proxy/access-key-cache.ts";
import type { AccessKeyInfo } from "../../src/proxy/intake.ts";

const info = (id: number): AccessKeyInfo => ({ id, name: `k${id}`, groupIds: [], enabled: true, expiresAt: null, rpmLimit: null });

function counting(known: Record<string, AccessKeyInfo>) {
  const calls: string[] = [];
  return { calls, verify: (secret: string) => (calls.push(secret), known[secret]) };
}

describe("access-key-cache", () => {
  it("verifiesADistinctSecretOnceAndServesRepeatsFromMemory", () => {
    const v = counting({ a: info(1) });
    const cache = createAccessKeyCache(v.verify);
    expect(cache.get("a")).toEqual(info(1));
    expect(cache.get("a")).toEqual(info(1));
    expect(v.calls).toEqual(["a"]);
  });

  it("neverRemembersASecretThatMatchedNoKey", () => {
    const v = counting({});
    const cache = createAccessKeyCache(v.verify);
    expect(cache.get("guess")).toBeUndefined();
    expect(cache.get("guess")).toBeUndefined();
    expect(v.calls).toEqual(["guess", "guess"]);
    expect(cache.size()).toBe(0);
  });

  it("forgetsTheOldestSecretPastItsBound", () => {
    const v = counting({ a: info(1), b: info(2), c: info(3) });
    const cache = createAccessKeyCache(v.verify, 2);
    cache.get("a");
    cache.get("b");
    cache.get("c");
    expect(cache.size()).toBe(2);
    cache.get("a");
    expect(v.calls).toEqual(["a", "b", "c", "a"]);
  });

  it("verifiesAgainAfterClear", () => {
    const known: Record<string, AccessKeyInfo> = { a: info(1) };
    const v = counting(known);
    const cache = createAccessKeyCache(v.verify);
    cache.get("a");
    known.a = { ...info(1), enabled: false };
    cache.clear();
    expect(cache.get("a")?.enabled).toBe(false);
    expect(v.calls).toEqual(["a", "a"]);
  });
});
