// Remembers which access-key secrets were already verified, so the keyed hash (HMAC) runs once per
// distinct secret instead of once per request. Holds only secrets that matched a key; app.ts clears
// it whenever access keys change (bus event), so a disabled, edited or deleted key is never served stale.

import type { AccessKeyInfo } from "./intake.ts";

/** Distinct secrets remembered at most; past it the oldest one is forgotten (insertion order). */
export const ACCESS_KEY_CACHE_MAX = 1024;

export interface AccessKeyCache {
  /** The key a secret belongs to: from the cache, else from `verify` (remembered only when it matched). */
  get(secret: string): AccessKeyInfo | undefined;
  /** Forgets every secret (access keys changed). */
  clear(): void;
  size(): number;
}

/**
 * `verify` is the slow, constant-time path (keyed hash, then a lookup by hash). A hit here is a Map
 * lookup by the exact secret string: it can only find secrets a client already proved by presenting
 * them whole, and a guess that is not one of them takes the verify path like any other miss, so the
 * cache tells an attacker nothing the hash lookup would not. Misses are not cached: random guesses
 * cannot evict real entries or grow memory.
 */
export function createAccessKeyCache(verify: (secret: string) => AccessKeyInfo | undefined, maxEntries = ACCESS_KEY_CACHE_MAX): AccessKeyCache {
  let bySecret = new Map<string, AccessKeyInfo>();
  return {
    get(secret) {
      const hit = bySecret.get(secret);
      if (hit !== undefined) return hit;
      const info = verify(secret);
      if (info === undefined) return undefined;
      if (bySecret.size >= maxEntries) bySecret.delete(bySecret.keys().next().value!);
      bySecret.set(secret, info);
      return info;
    },
    clear() {
      bySecret = new Map();
    },
    size: () => bySecret.size,
  };
}
