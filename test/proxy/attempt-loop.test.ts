// The attempt loop through a real gateway and fake upstreams: even rotation, what each failure
// class does to the key, the upstream and the retry (DESIGN table), phase timeouts, aggregate
// groups, per-key RPM caps, 503 with Retry-After, and the key state written behind to the
// database without ever overwriting an admin's change.

import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { updateKey } from "../../src/store/repos/keys.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

let gw: ProxyGateway;
let up: FakeUpstream;
let up2: FakeUpstream;
let access: string;
let seq = 0;

useProxyGateway({ upstreams: 2, accessKey: "loop" }, (rig) => {
  gw = rig.gw;
  [up, up2] = rig.upstreams as [FakeUpstream, FakeUpstream];
  access = rig.access!.secret;
});

async function group(keys: string[], extra: Record<string, unknown> = {}): Promise<{ id: number; name: string }> {
  const name = `loop${++seq}`;
  const id = await gw.createGroup({ name, channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }], ...extra });
  if (keys.length) await gw.addKeys(id, keys);
  return { id, name };
}

const client = (name: string) => new OpenAI({ apiKey: access, baseURL: `${gw.base}/proxy/${name}/v1`, maxRetries: 0 });
const chat = (name: string) => client(name).chat.completions.create({ model: "m", messages: [] });
const raw = (name: string, init: RequestInit = {}) =>
  fetch(`${gw.base}/proxy/${name}/v1/chat/completions`, { method: "POST", body: '{"model":"m"}', ...init, headers: { authorization: `Bearer ${access}`, ...init.headers } });
const keyOf = (u: FakeUpstream, i: number) => u.requests[i]!.headers.get("authorization")!.replace(/^Bearer /, "");
const attemptsOf = (log: { attempts: string }) => JSON.parse(log.attempts) as { key_id: number; status: number; error_class: string | null; upstream: string }[];
const lastLog = async (name: string) => (await gw.logs()).filter((l) => l.group_name === name).at(-1)!;

describe("attempt loop", () => {
  it("spreads requests evenly over the keys", async () => {
    const g = await group(["sk-rot-0000000001", "sk-rot-0000000002", "sk-rot-0000000003"]);
    up.setDefault(openaiChat());
    for (let i = 0; i < 9; i++) await chat(g.name);
    const counts = new Map<string, number>();
    for (let i = 0; i < 9; i++) counts.set(keyOf(up, i), (counts.get(keyOf(up, i)) ?? 0) + 1);
    expect([...counts.values()]).toEqual([3, 3, 3]);
  });

  it("retries an invalid key (401) on another key and benches it with its reason", async () => {
    const g = await group(["sk-bad-000000000001", "sk-good-00000000002"]);
    up.setDefault((req) =>
      req.headers.get("authorization")!.includes("sk-bad")
        ? { status: 401, json: { error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } } }
        : openaiChat("ok"),
    );
    for (let i = 0; i < 3; i++) expect((await chat(g.name)).choices[0]!.message.content).toBe("ok");
    expect(up.requests.filter((r) => r.headers.get("authorization")!.includes("sk-bad"))).toHaveLength(1);
    const pool = gw.gateway.registry.byId(g.id)!.keys;
    expect(pool.counts(Date.now())).toMatchObject({ active: 1, invalid: 1 });
    const first = (await gw.logs()).filter((l) => l.group_name === g.name)[0]!;
    const attempts = attemptsOf(first);
    expect(attempts.map((a) => [a.status, a.error_class])).toEqual([[401, "invalid"], [200, null]]);
    expect(pool.get(attempts[0]!.key_id)!.reason).toContain("invalid_api_key");
  });

  it("cools a rate-limited key until the reset the provider names and uses the others meanwhile", async () => {
    const g = await group(["sk-rl-0000000000001", "sk-rl-0000000000002"]);
    up.queue({ status: 429, headers: { "retry-after": "120" }, json: { error: { message: "Rate limit reached", code: "rate_limit_exceeded" } } });
    up.setDefault(openaiChat("ok"));
    const before = Date.now();
    await chat(g.name);
    const limited = keyOf(up, 0);
    expect(keyOf(up, 1)).not.toBe(limited);
    const [first] = attemptsOf(await lastLog(g.name));
    const rec = gw.gateway.registry.byId(g.id)!.keys.get(first!.key_id)!;
    expect(rec.status).toBe("cooldown");
    expect(rec.cooldownUntil).toBeGreaterThanOrEqual(before + 119_000);
    expect(rec.cooldownUntil).toBeLessThanOrEqual(Date.now() + 121_000);
    await chat(g.name);
    expect(keyOf(up, 2)).not.toBe(limited);
  });

  it("gives the client the last upstream answer when every attempt is rate limited, then 503 while all cool", async () => {
    const g = await group(["sk-all-rl-000000001", "sk-all-rl-000000002"]);
    up.setDefault({ status: 429, headers: { "retry-after": "60" }, json: { error: { message: "slow down", code: "rate_limit_exceeded" } } });
    const res = await raw(g.name);
    expect(res.status).toBe(429);
    expect((await res.json()).error.message).toBe("slow down");
    expect(new Set(up.requests.map((r) => r.headers.get("authorization"))).size).toBe(2);
    const again = await raw(g.name);
    expect(again.status).toBe(503);
    expect((await again.json()).error.message).toContain("2 cooling down");
    expect(up.requests).toHaveLength(2);
  });

  it("retries a 5xx elsewhere, counting it on the upstream, and passes a 400 through unchanged", async () => {
    const g = await group(["sk-5xx-000000000001", "sk-5xx-000000000002"]);
    up.queue({ status: 502, body: "bad gateway" }, openaiChat("after 5xx"));
    expect((await chat(g.name)).choices[0]!.message.content).toBe("after 5xx");
    expect(up.requests).toHaveLength(2);
    up.queue({ status: 400, headers: { "x-upstream": "yes" }, json: { error: { message: "bad param", type: "invalid_request_error" } } });
    const res = await raw(g.name);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.json()).toEqual({ error: { message: "bad param", type: "invalid_request_error" } });
    expect(up.requests).toHaveLength(3);
    expect((await lastLog(g.name)).error_class).toBe("client-error");
  });

  it("never tries the same key twice in one request", async () => {
    const g = await group(["sk-once-00000000001", "sk-once-00000000002"], { config: { max_attempts: 5 } });
    up.setDefault({ status: 500, body: "boom" });
    const res = await raw(g.name);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("boom");
    expect(up.requests.map((r) => r.headers.get("authorization")).sort()).toEqual(["Bearer sk-once-00000000001", "Bearer sk-once-00000000002"]);
  });

  it("gives up on a slow upstream at the first-byte timeout, aborts it and retries on another upstream", async () => {
    const g = await group(["sk-slow-00000000001", "sk-slow-00000000002"], {
      upstreams: [{ url: up.url, weight: 1 }, { url: up2.url, weight: 1 }],
      config: { first_byte_timeout_ms: 150 },
    });
    // Whichever upstream is asked first hangs; the next attempt gets an answer.
    let asked = 0;
    const script = () => (asked++ === 0 ? { hang: true } : openaiChat("fast"));
    up.setDefault(script);
    up2.setDefault(script);
    const res = await chat(g.name);
    expect(res.choices[0]!.message.content).toBe("fast");
    const log = await lastLog(g.name);
    const attempts = attemptsOf(log);
    expect(attempts.map((a) => [a.status, a.error_class])).toEqual([[0, "upstream-failure"], [200, null]]);
    expect(attempts[0]!.upstream).not.toBe(attempts[1]!.upstream);
    const hung = attempts[0]!.upstream === up.url ? up : up2;
    await hung.requests[0]!.aborted;
    expect(hung.requests[0]!.wasAborted).toBe(true);
  });

  it("answers 504 in the native shape when every attempt times out before the first byte", async () => {
    const g = await group(["sk-504-00000000001"], { config: { first_byte_timeout_ms: 120 } });
    up.setDefault({ hang: true });
    const res = await raw(g.name);
    expect(res.status).toBe(504);
    expect((await res.json()).error.message).toContain("no response from the upstream within 120 ms");
    await up.requests[0]!.aborted;
  });

  it("fails over to another member of an aggregate group when one has no usable key", async () => {
    const a = await group([]);
    const b = await group(["sk-member-b-0000001"]);
    const agg = `agg${++seq}`;
    await gw.createGroup({ name: agg, channel_type: "openai", upstreams: [], sub_groups: [{ group_id: a.id, weight: 5 }, { group_id: b.id, weight: 1 }] });
    up.setDefault(openaiChat("from b"));
    for (let i = 0; i < 3; i++) expect((await chat(agg)).choices[0]!.message.content).toBe("from b");
    const log = await lastLog(agg);
    expect(log.sub_group_name).toBe(b.name);
  });

  it("spreads an aggregate group's requests over its members by weight", async () => {
    const a = await group(["sk-member-a-0000002"], { upstreams: [{ url: up.url, weight: 1 }] });
    const b = await group(["sk-member-b-0000002"], { upstreams: [{ url: up2.url, weight: 1 }] });
    const agg = `agg${++seq}`;
    await gw.createGroup({ name: agg, channel_type: "openai", upstreams: [], sub_groups: [{ group_id: a.id, weight: 2 }, { group_id: b.id, weight: 1 }] });
    up.setDefault(openaiChat());
    up2.setDefault(openaiChat());
    for (let i = 0; i < 6; i++) await chat(agg);
    expect([up.requests.length, up2.requests.length]).toEqual([4, 2]);
  });

  it("caps each key's requests per minute with the group's key_rpm_limit", async () => {
    const g = await group(["sk-rpm-00000000001", "sk-rpm-00000000002"], { config: { key_rpm_limit: 1 } });
    up.setDefault(openaiChat());
    expect((await raw(g.name)).status).toBe(200);
    expect((await raw(g.name)).status).toBe(200);
    const third = await raw(g.name);
    expect(third.status).toBe(503);
    expect((await third.json()).error.message).toContain("2 active but at their per-minute rate cap");
    expect(new Set(up.requests.map((r) => r.headers.get("authorization"))).size).toBe(2);
  });

  it("answers 503 with what to do when the group has no keys", async () => {
    const g = await group([]);
    const res = await raw(g.name);
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toContain("has no keys");
  });

  it("writes key counters and states behind to the database, and keeps live counters when keys change", async () => {
    const g = await group(["sk-wb-000000000001", "sk-wb-000000000002"]);
    up.queue({ status: 401, json: { error: { message: "bad key", code: "invalid_api_key" } } });
    up.setDefault(openaiChat());
    await chat(g.name);
    await chat(g.name);
    gw.gateway.flushKeyStates();
    const rows = gw.gateway.store.sqlite
      .query("SELECT id, status, requests, failures FROM api_keys WHERE group_id = ? ORDER BY id")
      .all(g.id) as { id: number; status: string; requests: number; failures: number }[];
    expect(rows.map((r) => r.status).sort()).toEqual(["active", "invalid"]);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(3);
    const active = rows.find((r) => r.status === "active")!;
    const pool = gw.gateway.registry.byId(g.id)!.keys;
    await chat(g.name);
    const live = pool.get(active.id)!.requests;
    expect(live).toBe(active.requests + 1);
    // An import (keys-changed) reloads the group's keys but keeps the counters that are ahead of the database.
    await gw.addKeys(g.id, ["sk-wb-000000000003"]);
    expect(pool.size()).toBe(3);
    expect(pool.get(active.id)!.requests).toBe(live);
    // Restoring in the admin API (database first) brings the invalid key back in memory.
    await gw.call(`/api/groups/${g.id}/keys/restore`, { method: "POST" });
    expect(pool.counts(Date.now())).toMatchObject({ active: 3, invalid: 0 });
  });

  it("answers 503 with Retry-After until the first cooling key is back", async () => {
    const g = await group(["sk-ra-000000000001", "sk-ra-000000000002"]);
    up.queue(
      { status: 429, headers: { "retry-after": "30" }, json: { error: { message: "slow down", code: "rate_limit_exceeded" } } },
      { status: 429, headers: { "retry-after": "90" }, json: { error: { message: "slow down", code: "rate_limit_exceeded" } } },
    );
    expect((await raw(g.name)).status).toBe(429);
    const res = await raw(g.name);
    expect(res.status).toBe(503);
    const seconds = Number(res.headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(29);
    expect(seconds).toBeLessThanOrEqual(30);
    expect((await res.json()).error.type).toBe("api_error");
  });

  it("answers 503 with Retry-After when every key is at its per-minute cap, in the channel's own shape", async () => {
    const name = `loop${++seq}`;
    const id = await gw.createGroup({ name, channel_type: "anthropic", upstreams: [{ url: up.url, weight: 1 }], config: { key_rpm_limit: 1 } });
    await gw.addKeys(id, ["sk-ant-ra-00000001"]);
    up.setDefault({ json: { type: "message", content: [] } });
    const send = () =>
      fetch(`${gw.base}/proxy/${name}/v1/messages`, { method: "POST", headers: { "x-api-key": access, "content-type": "application/json" }, body: '{"model":"m"}' });
    expect((await send()).status).toBe(200);
    const res = await send();
    expect(res.status).toBe(503);
    const seconds = Number(res.headers.get("retry-after"));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  });

  it("sends no Retry-After when no key can come back by itself", async () => {
    const g = await group(["sk-ra-dead-0000001"]);
    up.setDefault({ status: 401, json: { error: { message: "bad key", code: "invalid_api_key" } } });
    expect((await raw(g.name)).status).toBe(401);
    const res = await raw(g.name);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeNull();
  });

  it("keeps a key disabled through the API during traffic disabled, in the database and in use", async () => {
    const g = await group(["sk-dis-00000000001", "sk-dis-00000000002"]);
    const ids = (gw.gateway.store.sqlite.query("SELECT id FROM api_keys WHERE group_id = ? ORDER BY id").all(g.id) as { id: number }[]).map((r) => r.id);
    const victim = ids[0]!;
    // A request is in flight on the victim when it is disabled; its late 429 must not resurrect it as cooling.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    up.setDefault((req) =>
      req.headers.get("authorization") === "Bearer sk-dis-00000000001"
        ? { holdUntil: held, status: 429, headers: { "retry-after": "5" }, json: { error: { message: "late", code: "rate_limit_exceeded" } } }
        : openaiChat(),
    );
    const flowing = Promise.all([raw(g.name), raw(g.name), raw(g.name)]);
    await up.request(1);
    const patched = await gw.call(`/api/keys/${victim}`, { method: "PATCH", json: { status: "disabled" } });
    expect(patched.status).toBe(200);
    release();
    expect((await flowing).map((r) => r.status)).toEqual([200, 200, 200]);
    gw.gateway.flushKeyStates();
    for (let i = 0; i < 6; i++) expect((await raw(g.name)).status).toBe(200);
    gw.gateway.flushKeyStates();
    const row = gw.gateway.store.sqlite.query("SELECT status FROM api_keys WHERE id = ?").get(victim) as { status: string };
    expect(row.status).toBe("disabled");
    const before = up.requests.length;
    for (let i = 0; i < 4; i++) await raw(g.name);
    expect(up.requests.slice(before).every((r) => r.headers.get("authorization") !== "Bearer sk-dis-00000000001")).toBe(true);
  });

  it("never lets the write-behind overwrite a key state changed in the database meanwhile", async () => {
    const g = await group(["sk-cas-00000000001", "sk-cas-00000000002"]);
    up.queue({ status: 429, headers: { "retry-after": "60" }, json: { error: { message: "slow down", code: "rate_limit_exceeded" } } });
    up.setDefault(openaiChat());
    await chat(g.name);
    const [cooled] = attemptsOf(await lastLog(g.name));
    // Another node (or an admin whose change event has not arrived yet) disables the key in the database.
    updateKey(gw.gateway.store.sqlite, cooled!.key_id, { status: "disabled" }, Date.now());
    gw.gateway.flushKeyStates();
    const row = gw.gateway.store.sqlite.query("SELECT status, failures FROM api_keys WHERE id = ?").get(cooled!.key_id) as { status: string; failures: number };
    expect(row).toEqual({ status: "disabled", failures: 1 });
  });

  it("keeps unwritten state changes of other keys when an admin change reloads the group", async () => {
    const g = await group(["sk-keep-0000000001", "sk-keep-0000000002", "sk-keep-0000000003"]);
    up.queue({ status: 401, json: { error: { message: "bad key", code: "invalid_api_key" } } });
    up.setDefault(openaiChat());
    await chat(g.name);
    const [bad] = attemptsOf(await lastLog(g.name));
    const other = (gw.gateway.store.sqlite.query("SELECT id FROM api_keys WHERE group_id = ? AND id != ? ORDER BY id").all(g.id, bad!.key_id) as { id: number }[])[0]!.id;
    await gw.call(`/api/keys/${other}`, { method: "PATCH", json: { status: "disabled" } });
    const pool = gw.gateway.registry.byId(g.id)!.keys;
    expect(pool.get(bad!.key_id)!.status).toBe("invalid");
    gw.gateway.flushKeyStates();
    const rows = gw.gateway.store.sqlite.query("SELECT id, status FROM api_keys WHERE group_id = ? ORDER BY id").all(g.id) as { id: number; status: string }[];
    expect(rows.find((r) => r.id === bad!.key_id)!.status).toBe("invalid");
    expect(rows.find((r) => r.id === other)!.status).toBe("disabled");
  });
});
