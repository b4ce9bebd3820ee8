// The upstream URLs of one group: smooth weighted round robin (nginx's algorithm) over the
// upstreams whose circuit lets traffic through, and a circuit breaker per URL driven only by
// the timestamps the caller passes. Pure: no timers, no clock, no I/O.

import type { CircuitPolicy, CircuitState, UpstreamSet, UpstreamTarget } from "./types.ts";

interface UpstreamSlot {
  target: UpstreamTarget;
  /** Smooth WRR running weight. */
  current: number;
  /** Consecutive failures. */
  failures: number;
  /** Circuit not closed (open or half-open, depending on time). */
  tripped: boolean;
  openedAt: number;
  /** When the half-open probe was let through; -1 when none is in flight. */
  probeAt: number;
}

export function createUpstreamSet(targets: readonly UpstreamTarget[], policy: CircuitPolicy): UpstreamSet {
  const threshold = Math.max(1, Math.floor(policy.failureThreshold));
  const openMs = Math.max(0, policy.openMs);
  const slots: UpstreamSlot[] = targets.map((t) => ({
    target: Object.freeze({ url: t.url, weight: Math.max(0, t.weight) }),
    current: 0,
    failures: 0,
    tripped: false,
    openedAt: 0,
    probeAt: -1,
  }));
  const byUrl = new Map(slots.map((s) => [s.target.url, s]));

  function stateOf(s: UpstreamSlot, now: number): CircuitState {
    if (!s.tripped) return "closed";
    return now < s.openedAt + openMs ? "open" : "half-open";
  }

  /** Closed, or half-open with no probe in flight (or one that has been silent for openMs). */
  function letsThrough(s: UpstreamSlot, now: number): boolean {
    if (s.target.weight <= 0) return false;
    if (!s.tripped) return true;
    if (now < s.openedAt + openMs) return false;
    return s.probeAt === -1 || now >= s.probeAt + openMs;
  }

  /** One smooth WRR step over the eligible upstreams, as ngx_http_upstream_get_peer() in nginx's ngx_http_upstream_round_robin.c. */
  function step(now: number, exclude: ReadonlySet<string> | undefined): UpstreamSlot | undefined {
    let best: UpstreamSlot | undefined;
    let total = 0;
    for (const s of slots) {
      if (!letsThrough(s, now)) continue;
      if (exclude !== undefined && exclude.has(s.target.url)) continue;
      s.current += s.target.weight;
      total += s.target.weight;
      if (best === undefined || s.current > best.current) best = s;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }

  return {
    pick(now, exclude) {
      let best = step(now, exclude !== undefined && exclude.size !== 0 ? exclude : undefined);
      // Only excluded upstreams are left: trying one again with another key is fine.
      if (best === undefined && exclude !== undefined && exclude.size !== 0) best = step(now, undefined);
      if (best === undefined) return undefined;
      if (best.tripped) best.probeAt = now;
      return best.target;
    },

    reportSuccess(url) {
      const s = byUrl.get(url);
      if (s === undefined) return;
      s.failures = 0;
      s.tripped = false;
      s.probeAt = -1;
    },

    reportFailure(url, now) {
      const s = byUrl.get(url);
      if (s === undefined) return;
      s.failures++;
      if (s.tripped || s.failures >= threshold) {
        s.tripped = true;
        s.openedAt = now;
        s.probeAt = -1;
      }
    },

    states(now) {
      return slots.map((s) => ({ url: s.target.url, weight: s.target.weight, state: stateOf(s, now), failures: s.failures }));
    },
  };
}
