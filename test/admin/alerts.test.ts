// Alerts end to end: a real gateway whose group's keys all turn invalid through the proxy or the
// validation job (a fake upstream answering 401) posts signed alerts to a real HTTP receiver on
// port 0, once per incident however often it evaluates; POST /api/alerts/test reaches the
// receiver or says what is missing.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHmac } from "node:crypto";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { startProxyGateway, type ProxyGateway } from "../support/proxy-gateway.ts";

const SECRET = "hook-secret-0123456789";
const KEYS = ["sk-alert-0000000000001", "sk-alert-0000000000002"];

interface Received {
  headers: Headers;
  body: string;
  json: any;
}

let gw: ProxyGateway;
let up: FakeUpstream;
let receiver: ReturnType<typeof Bun.serve>;
const received: Received[] = [];
let access: string;

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(req) {
      const body = await req.text();
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      return new Response(null, { status: 204 });
    },
  });
  gw = startProxyGateway();
  up = startFakeUpstream({ status: 401, json: { error: { message: "Incorrect API key provided", code: "invalid_api_key" } } });
  access = (await gw.createAccessKey({ name: "alerts" })).secret;
});

afterAll(async () => {
  await up.close();
  await gw.close();
  receiver.stop(true);
});

const hookUrl = () => `http://127.0.0.1:${receiver.port}/hook`;
const proxied = (name: string) =>
  fetch(`${gw.base}/proxy/${name}/v1/chat/completions`, { method: "POST", body: '{"model":"m"}', headers: { authorization: `Bearer ${access}`, "content-type": "application/json" } });
const validSignature = (r: Received) => r.headers.get("x-poolgate-signature") === `sha256=${createHmac("sha256", SECRET).update(r.body).digest("hex")}`;

describe("alerts", () => {
  it("answers 400 to a test alert while no webhook URL is set", async () => {
    const res = await gw.call("/api/alerts/test", { method: "POST" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ field: "alert_webhook_url" });
  });

  it("sends a test alert to the receiver and reports its status", async () => {
    await gw.patchSettings({ alert_webhook_url: hookUrl(), alert_webhook_secret: SECRET });
    const res = await gw.call("/api/alerts/test", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ delivered: true, status: 204, error: null });
    const r = received.at(-1)!;
    expect(r.json).toMatchObject({ event: "test", severity: "info" });
    expect(r.headers.get("x-poolgate-event")).toBe("test");
    expect(validSignature(r)).toBe(true);
  });

  it("alerts once with a valid signature when a group's keys all become invalid, not again during the incident", async () => {
    const id = await gw.createGroup({ name: "alerted", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }] });
    await gw.addKeys(id, KEYS);
    received.length = 0;
    await gw.gateway.evaluateAlerts();
    expect(received).toEqual([]);

    expect((await proxied("alerted")).ok).toBe(false);
    expect(gw.gateway.registry.byId(id)!.keys.counts(Date.now())).toMatchObject({ invalid: 2 });
    await gw.gateway.evaluateAlerts();

    const byEvent = new Map(received.map((r) => [r.json.event as string, r]));
    expect([...byEvent.keys()].sort()).toEqual(["key.invalidated", "keys.low"]);
    for (const r of received) {
      expect(validSignature(r)).toBe(true);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.headers.get("x-poolgate-event")).toBe(r.json.event);
      for (const key of KEYS) expect(r.body).not.toContain(key);
    }
    expect(byEvent.get("keys.low")!.json).toMatchObject({ severity: "critical", group: "alerted", details: { usable_keys: 0, total_keys: 2, threshold: 1 } });
    const invalidated = byEvent.get("key.invalidated")!.json;
    expect(invalidated.details.count).toBe(2);
    expect(invalidated.details.keys.map((k: { key_masked: string }) => k.key_masked)).toEqual(expect.arrayContaining([expect.stringMatching(/^sk-a/)]));

    // The incident lasts: more failing traffic and more evaluations send nothing new.
    const before = received.length;
    await proxied("alerted");
    await gw.gateway.evaluateAlerts();
    await gw.gateway.evaluateAlerts();
    expect(received.length).toBe(before);
  });

  it("alerts for keys the validation job invalidates, naming them masked", async () => {
    const id = await gw.createGroup({ name: "validated", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }] });
    await gw.addKeys(id, ["sk-validated-000000000001"]);
    received.length = 0;
    const started = await gw.call(`/api/groups/${id}/keys/validate`, { method: "POST" });
    expect(started.status).toBe(202);
    await gw.gateway.keyValidation.finished(((await started.json()) as { task_id: string }).task_id);
    await gw.gateway.evaluateAlerts();

    const invalidated = received.find((r) => r.json.event === "key.invalidated" && r.json.group === "validated");
    expect(invalidated).toBeDefined();
    expect(validSignature(invalidated!)).toBe(true);
    expect(invalidated!.json.details.count).toBe(1);
    expect(invalidated!.json.details.keys[0].key_masked).toMatch(/^sk-v.*0001$/);
    expect(invalidated!.body).not.toContain("sk-validated-000000000001");
  });
});
