// Requests per access key: counted in memory by the proxy, drained by the write-behind flush
// (and on shutdown) into access_keys, and shown by GET /api/access-keys.

import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { describe, expect, it } from "bun:test";
import { createAccessKeyUsage } from "../../src/proxy/access-key-usage.ts";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { startProxyGateway, type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

describe("access-key-usage", () => {
  it("countsRequestsPerKeyAndStartsAgainAfterADrain", () => {
    const usage = createAccessKeyUsage();
    usage.count(1, 100);
    usage.count(2, 150);
    usage.count(1, 120);
    usage.count(1, 110);
    expect(usage.drain().sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, requests: 3, lastUsedAt: 120 },
      { id: 2, requests: 1, lastUsedAt: 150 },
    ]);
    expect(usage.drain()).toEqual([]);
    usage.count(2, 200);
    expect(usage.drain()).toEqual([{ id: 2, requests: 1, lastUsedAt: 200 }]);
  });
});

describe("access key usage through the gateway", () => {
  let gw: ProxyGateway;
  let up: FakeUpstream;

  useProxyGateway({ reply: openaiChat(), reset: false }, (rig) => {
    gw = rig.gw;
    up = rig.upstreams[0]!;
  });

  const send = (group: string, secret: string) =>
    fetch(`${gw.base}/proxy/${group}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: '{"model":"m","messages":[]}',
    });

  it("writes each access key's requests behind and lists them in the admin API", async () => {
    const id = await gw.createGroup({ name: "usage", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }] });
    await gw.addKeys(id, ["sk-usage-0000000001"]);
    const a = await gw.createAccessKey({ name: "a" });
    const b = await gw.createAccessKey({ name: "b" });
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await send("usage", a.secret)).status).toBe(200);
    expect((await send("usage", b.secret)).status).toBe(200);
    // A refused request (unknown key) counts for nobody.
    expect((await send("usage", "pk-not-a-key")).status).toBe(401);
    gw.gateway.flushKeyStates();
    const list = async () => (await (await gw.call("/api/access-keys")).json()).items as { id: number; requests: number; last_used_at: number | null }[];
    let items = await list();
    expect(items.find((k) => k.id === a.id)).toMatchObject({ requests: 3 });
    expect(items.find((k) => k.id === b.id)).toMatchObject({ requests: 1 });
    expect(items.find((k) => k.id === a.id)!.last_used_at).toBeGreaterThanOrEqual(before);
    // Counts add up across flushes.
    await send("usage", a.secret);
    gw.gateway.flushKeyStates();
    items = await list();
    expect(items.find((k) => k.id === a.id)!.requests).toBe(4);
  });

  it("flushes the counts still in memory on shutdown", async () => {
    const other = startProxyGateway();
    try {
      const id = await other.createGroup({ name: "usage-stop", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }] });
      await other.addKeys(id, ["sk-usage-0000000002"]);
      const key = await other.createAccessKey({ name: "stop" });
      await fetch(`${other.base}/proxy/usage-stop/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } });
      await other.gateway.stop();
      const db = new Database(other.gateway.config.databaseUrl, { readonly: true });
      const row = db.query("SELECT requests, last_used_at FROM access_keys WHERE id = ?").get(key.id) as { requests: number; last_used_at: number };
      db.close();
      expect(row.requests).toBe(1);
      expect(row.last_used_at).toBeGreaterThan(0);
    } finally {
      rmSync(other.dataDir, { recursive: true, force: true });
    }
  });
});
