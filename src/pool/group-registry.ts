// The live groups of this node by name and id: each one's key pool, upstream set, request
// rewriting rules and resolved settings. Pure data structure (no I/O, no clock): app.ts builds
// runtimes from the store and replaces or removes one group when the bus says it changed.

import type { CircuitPolicy, CooldownPolicy, KeyPool, UpstreamSet } from "./types.ts";

/** A setting value as the settings registry holds it (kept local: pool/ imports nothing in src/). */
export type RuntimeSettingValue = number | boolean | string | number[];

export interface RuntimeHeaderRule {
  action: "set" | "remove";
  name: string;
  value?: string;
}

export interface RuntimeSubGroup {
  groupId: number;
  weight: number;
}

/** The numbers the proxy reads on every request, resolved once from the merged settings. */
export interface GroupPolicy {
  maxAttempts: number;
  requestBudgetMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  keyRpmLimit: number;
  cooldown: CooldownPolicy;
  circuit: CircuitPolicy;
  /** Same shape as channels' StatusPolicy. */
  statuses: { invalidKey: readonly number[]; rateLimit: readonly number[]; retry: readonly number[] };
  logBodies: boolean;
  logBodyMaxBytes: number;
}

export interface GroupRuntime {
  id: number;
  name: string;
  channelType: string;
  enabled: boolean;
  keys: KeyPool;
  upstreams: UpstreamSet;
  modelRedirect: Readonly<Record<string, string>>;
  modelRedirectStrict: boolean;
  paramOverrides: Readonly<Record<string, unknown>>;
  headerRules: readonly RuntimeHeaderRule[];
  /** Global settings overlaid with this group's `config`. */
  settings: Readonly<Record<string, RuntimeSettingValue>>;
  policy: GroupPolicy;
  /** Members of an aggregate group; empty for an ordinary group. */
  subGroups: readonly RuntimeSubGroup[];
}

export interface GroupRegistry {
  byName(name: string): GroupRuntime | undefined;
  byId(id: number): GroupRuntime | undefined;
  /** Adds the group or replaces the one with the same id (also when it was renamed). */
  replace(runtime: GroupRuntime): void;
  remove(id: number): GroupRuntime | undefined;
  all(): IterableIterator<GroupRuntime>;
  size(): number;
}

export function createGroupRegistry(initial: Iterable<GroupRuntime> = []): GroupRegistry {
  const ids = new Map<number, GroupRuntime>();
  const names = new Map<string, GroupRuntime>();
  const registry: GroupRegistry = {
    byName: (name) => names.get(name),
    byId: (id) => ids.get(id),
    replace(runtime) {
      const previous = ids.get(runtime.id);
      if (previous && names.get(previous.name) === previous) names.delete(previous.name);
      ids.set(runtime.id, runtime);
      names.set(runtime.name, runtime);
    },
    remove(id) {
      const previous = ids.get(id);
      if (!previous) return undefined;
      ids.delete(id);
      if (names.get(previous.name) === previous) names.delete(previous.name);
      return previous;
    },
    all: () => ids.values(),
    size: () => ids.size,
  };
  for (const runtime of initial) registry.replace(runtime);
  return registry;
}

/** Global settings overlaid with a group's overrides (unknown override names are kept; validation happens at write time). */
export function mergeSettings(
  global: Readonly<Record<string, RuntimeSettingValue>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, RuntimeSettingValue> {
  const merged: Record<string, RuntimeSettingValue> = { ...global };
  for (const [key, value] of Object.entries(overrides)) {
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string" || Array.isArray(value)) {
      merged[key] = value as RuntimeSettingValue;
    }
  }
  return merged;
}

/** Reads the proxy's numbers out of merged settings, falling back to the documented defaults. */
export function resolvePolicy(settings: Readonly<Record<string, RuntimeSettingValue>>): GroupPolicy {
  const int = (key: string, fallback: number) => {
    const v = settings[key];
    return typeof v === "number" && Number.isFinite(v) ? v : fallback;
  };
  const list = (key: string, fallback: number[]) => {
    const v = settings[key];
    return Array.isArray(v) ? v : fallback;
  };
  return {
    maxAttempts: Math.max(1, int("max_attempts", 3)),
    requestBudgetMs: int("request_budget_ms", 600_000),
    firstByteTimeoutMs: int("first_byte_timeout_ms", 300_000),
    idleTimeoutMs: int("idle_timeout_ms", 120_000),
    totalTimeoutMs: int("total_timeout_ms", 600_000),
    keyRpmLimit: int("key_rpm_limit", 0),
    cooldown: { baseMs: int("cooldown_base_ms", 30_000), maxMs: int("cooldown_max_ms", 600_000) },
    circuit: { failureThreshold: int("circuit_failure_threshold", 5), openMs: int("circuit_open_ms", 30_000) },
    statuses: {
      invalidKey: list("invalid_key_statuses", [401, 403]),
      rateLimit: list("rate_limit_statuses", [429]),
      retry: list("retry_statuses", [500, 502, 503, 504]),
    },
    logBodies: settings.log_bodies === true,
    logBodyMaxBytes: int("log_body_max_bytes", 8192),
  };
}
