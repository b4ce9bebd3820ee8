// The key pool's vocabulary: key records, key states, the events an attempt reports, and the
// shapes of the per-group key pool and upstream set. Pure data; callers pass `now` and `rand`.

export type KeyStatus = "active" | "cooldown" | "invalid" | "disabled";

/** One upstream key as the pool holds it in memory (the plain value never leaves memory). */
export interface KeyRecord {
  id: number;
  value: string;
  /** First and last 4 characters; what logs and the API show. */
  masked: string;
  status: KeyStatus;
  reason: string | null;
  /** Epoch ms until which a cooling key is skipped; 0 when not cooling. */
  cooldownUntil: number;
  /** Rate limits in a row, drives exponential backoff; reset by a success. */
  strikes: number;
  requests: number;
  failures: number;
  /** Epoch ms, 0 = never. */
  lastUsedAt: number;
}

/** What one upstream attempt meant, as classified by the channel. */
export type KeyEvent =
  | { kind: "success" }
  /** Bad key (401/403/provider "invalid key"): mark invalid, keep the reason. */
  | { kind: "invalid"; reason: string }
  /** Rate limited / quota: cooldown until resetAt (epoch ms) when the provider named it, else backoff. */
  | { kind: "rate-limited"; reason: string; resetAt: number | null }
  /** 5xx, connect error, timeout before first byte: the upstream is blamed, the key untouched. */
  | { kind: "upstream-failure"; reason: string }
  /** Other 4xx: the client's fault; no penalty, no retry. */
  | { kind: "client-error"; reason: string };

export interface CooldownPolicy {
  baseMs: number;
  maxMs: number;
}

/** A key state change worth persisting and publishing (written behind in batches). */
export interface KeyStateChange {
  keyId: number;
  status: KeyStatus;
  reason: string | null;
  cooldownUntil: number;
}

/**
 * A dirty key's persisted fields for the write-behind, with the status the database held when
 * memory last synced with it: the writer changes the row's state only while the row still holds
 * `storedStatus`, so an admin change made meanwhile (disable, restore) is never overwritten.
 */
export interface KeyWriteBack {
  id: number;
  status: KeyStatus;
  reason: string | null;
  cooldownUntil: number;
  requests: number;
  failures: number;
  lastUsedAt: number;
  storedStatus: KeyStatus;
}

export interface PoolCounts {
  total: number;
  active: number;
  cooldown: number;
  invalid: number;
  disabled: number;
}

/**
 * The keys of one group. pick() is O(1) amortised and allocation-free: round robin over the
 * active ring, skipping lazily the keys that are cooling, at their per-minute cap, or excluded.
 */
export interface KeyPool {
  /** Next usable key, never one in `exclude`; undefined when none is usable now. */
  pick(now: number, exclude: ReadonlySet<number>): KeyRecord | undefined;
  /** Applies an attempt's outcome to the key; returns the state change if the status moved. */
  report(keyId: number, event: KeyEvent, now: number, rand: () => number, policy: CooldownPolicy): KeyStateChange | undefined;
  /** Per-key requests-per-minute cap (0 = none); keys at their cap are skipped like cooling ones. */
  setRpmCap(cap: number): void;
  /** Adds or replaces keys (by id), e.g. after an import or a state change from another node. */
  upsert(records: readonly KeyRecord[]): void;
  remove(ids: readonly number[]): void;
  get(id: number): KeyRecord | undefined;
  counts(now: number): PoolCounts;
  /**
   * Keys whose counters or state changed since the last call, as rows for the write-behind's
   * compare-and-set (see KeyWriteBack); afterwards the pool assumes the database holds each key's
   * current status.
   */
  takeWriteBack(): KeyWriteBack[];
  /**
   * Earliest time (epoch ms) a pick could succeed, ignoring per-request exclusions: `now` when a
   * key is usable now, the end of the first cooldown or per-minute cap window otherwise, and
   * undefined when no key can come back by itself (none, or all invalid/disabled).
   */
  nextUsableAt(now: number): number | undefined;
  size(): number;
}

export interface UpstreamTarget {
  url: string;
  weight: number;
}

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitPolicy {
  failureThreshold: number;
  openMs: number;
}

/** The upstream URLs of one group: smooth weighted round robin, skipping open circuits. */
export interface UpstreamSet {
  /** Next upstream, not in `exclude` when another is available; undefined when every circuit is open. */
  pick(now: number, exclude?: ReadonlySet<string>): UpstreamTarget | undefined;
  reportSuccess(url: string, now: number): void;
  reportFailure(url: string, now: number): void;
  states(now: number): { url: string; weight: number; state: CircuitState; failures: number }[];
}
