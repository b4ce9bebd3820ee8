// The group registry: lookup by name and id, replace (also across a rename) and remove, and the
// settings merge and policy resolution every group runtime carries.

import { describe, expect, it } from "bun:test";
import { createGroupRegistry, mergeSettings, resolvePolicy, type GroupRuntime } from "../../src/pool/group-registry.ts";
import { createKeyPool } from "../../src/pool/key-pool.ts";
import { createUpstreamSet } from "../../src/pool/upstreams.ts";

function runtime(id: number, name: string): GroupRuntime {
  const settings = mergeSettings({}, {});
  const policy = resolvePolicy(settings);
  return {
    id,
    name,
    channelType: "openai",
    enabled: true,
    keys: createKeyPool([]),
    upstreams: createUpstreamSet([{ url: "http://u", weight: 1 }], policy.circuit),
    modelRedirect: {},
    modelRedirectStrict: false,
    paramOverrides: {},
    headerRules: [],
    settings,
    policy,
    subGroups: [],
  };
}

describe("group registry", () => {
  it("finds groups by name and by id", () => {
    const a = runtime(1, "a");
    const reg = createGroupRegistry([a, runtime(2, "b")]);
    expect(reg.byName("a")).toBe(a);
    expect(reg.byId(2)!.name).toBe("b");
    expect(reg.size()).toBe(2);
    expect(reg.byName("zzz")).toBeUndefined();
  });

  it("replaces a renamed group so the old name no longer resolves", () => {
    const reg = createGroupRegistry([runtime(1, "old")]);
    const renamed = runtime(1, "new");
    reg.replace(renamed);
    expect(reg.byName("old")).toBeUndefined();
    expect(reg.byName("new")).toBe(renamed);
    expect(reg.size()).toBe(1);
  });

  it("does not lose a group that took over the name of a renamed one", () => {
    const reg = createGroupRegistry([runtime(1, "x")]);
    reg.replace(runtime(1, "y"));
    const other = runtime(2, "x");
    reg.replace(other);
    reg.remove(1);
    expect(reg.byName("x")).toBe(other);
    expect(reg.byName("y")).toBeUndefined();
  });

  it("removes a group by id", () => {
    const reg = createGroupRegistry([runtime(1, "a")]);
    expect(reg.remove(1)!.name).toBe("a");
    expect(reg.byName("a")).toBeUndefined();
    expect(reg.remove(1)).toBeUndefined();
  });
});

describe("mergeSettings and resolvePolicy", () => {
  it("overlays a group's overrides on the global settings", () => {
    const merged = mergeSettings({ max_attempts: 3, key_rpm_limit: 0 }, { key_rpm_limit: 60, junk: { a: 1 } });
    expect(merged).toEqual({ max_attempts: 3, key_rpm_limit: 60 });
  });

  it("resolves the proxy's numbers, with documented defaults for missing ones", () => {
    const p = resolvePolicy({ max_attempts: 5, retry_statuses: [502], log_bodies: true, cooldown_base_ms: 1000 });
    expect(p.maxAttempts).toBe(5);
    expect(p.statuses).toEqual({ invalidKey: [401, 403], rateLimit: [429], retry: [502] });
    expect(p.cooldown).toEqual({ baseMs: 1000, maxMs: 600_000 });
    expect(p.logBodies).toBe(true);
    expect(p.firstByteTimeoutMs).toBe(300_000);
  });
});
