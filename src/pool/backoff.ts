// When a rate-limited key may be used again: the provider's named reset (capped at 24h) or an
// exponential backoff with equal jitter. Pure: the caller passes `now` and `rand`.
// Must not keep state; the strike count lives on the key record.

import type { CooldownPolicy } from "./types.ts";

/** The longest reset a provider may name before we stop believing it (a day). */
export const MAX_PROVIDER_RESET_MS = 24 * 60 * 60 * 1000;

/** Past this many strikes the exponential term is already far beyond any sane maxMs. */
const MAX_EXPONENT = 30;

/**
 * Backoff for the `strikes`-th rate limit in a row: base * 2^strikes capped at maxMs, with equal
 * jitter (half fixed, half random), so a key is never retried almost at once and a storm of
 * keys does not come back in lockstep (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function cooldownUntil(strikes: number, now: number, rand: () => number, policy: CooldownPolicy): number {
  const base = Math.max(0, policy.baseMs);
  const max = Math.max(base, policy.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(strikes)), MAX_EXPONENT);
  const ceiling = Math.min(max, base * 2 ** exponent);
  const r = Math.min(Math.max(rand(), 0), 1);
  return now + Math.ceil(ceiling / 2 + (ceiling / 2) * r);
}

/** The provider's named reset when it lies in the future, capped at 24h ahead; else undefined. */
export function providerResetUntil(resetAt: number | null, now: number): number | undefined {
  if (resetAt === null || !Number.isFinite(resetAt) || resetAt <= now) return undefined;
  return Math.min(resetAt, now + MAX_PROVIDER_RESET_MS);
}
