// Request intake: where the access key is read from (and that none of the four reaches the
// upstream), the refusals in each channel's native shape (404, 401, 403, 429, 413), and the
// body cap for declared and chunked bodies.

import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import { checkAccess, forwardQuery, readClientKey, splitProxyUrl, type AccessKeyInfo } from "../../src/proxy/intake.ts";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

describe("intake (pure parts)", () => {
  it("reads the access key from Bearer, x-api-key, x-goog-api-key or ?key=", () => {
    expect(readClientKey(new Headers({ authorization: "Bearer  pk-1 " }), "")).toBe("pk-1");
    expect(readClientKey(new Headers({ "x-api-key": "pk-2" }), "")).toBe("pk-2");
    expect(readClientKey(new Headers({ "x-goog-api-key": "pk-3" }), "")).toBe("pk-3");
    expect(readClientKey(new Headers(), "?alt=sse&key=pk-4")).toBe("pk-4");
    expect(readClientKey(new Headers({ authorization: "Basic abc" }), "?monkey=1")).toBeUndefined();
  });

  it("splits the native path and query off the proxy URL and drops only the key parameter", () => {
    expect(splitProxyUrl("http://h:1/proxy/g1/v1/chat/completions?a=1", "g1")).toEqual({ nativePath: "/v1/chat/completions", search: "?a=1" });
    expect(splitProxyUrl("http://h/proxy/g/v1beta/models/x:streamGenerateContent", "g")).toEqual({
      nativePath: "/v1beta/models/x:streamGenerateContent",
      search: "",
    });
    expect(forwardQuery("?alt=sse&key=secret")).toBe("?alt=sse");
    expect(forwardQuery("?key=secret")).toBe("");
    expect(forwardQuery("?monkey=1&b=%20")).toBe("?monkey=1&b=%20");
  });

  it("accepts global and scoped keys and refuses disabled, expired and out-of-scope ones", () => {
    const key: AccessKeyInfo = { id: 1, name: "k", groupIds: [], enabled: true, expiresAt: null, rpmLimit: null };
    const g = { id: 7, name: "seven" };
    expect(checkAccess(key, g, 0)).toEqual({ ok: true });
    expect(checkAccess({ ...key, groupIds: [7] }, g, 0)).toEqual({ ok: true });
    expect(checkAccess({ ...key, groupIds: [8] }, g, 0)).toMatchObject({ ok: false, status: 403 });
    expect(checkAccess({ ...key, enabled: false }, g, 0)).toMatchObject({ ok: false, status: 401 });
    expect(checkAccess({ ...key, expiresAt: 10 }, g, 10)).toMatchObject({ ok: false, status: 401 });
    expect(checkAccess(undefined, g, 0)).toMatchObject({ ok: false, status: 401 });
  });
});

describe("intake through the gateway", () => {
  let gw: ProxyGateway;
  let up: FakeUpstream;
  let access: string;
  let openaiGroup: { id: number; name: string };
  let anthropicGroup: { id: number; name: string };

  useProxyGateway({ reply: openaiChat(), accessKey: "global" }, async (rig) => {
    gw = rig.gw;
    up = rig.upstreams[0]!;
    access = rig.access!.secret;
    const id = await gw.createGroup({ name: "oa", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }] });
    await gw.addKeys(id, ["sk-intake-upstream-1"]);
    openaiGroup = { id, name: "oa" };
    const aid = await gw.createGroup({ name: "an", channel_type: "anthropic", upstreams: [{ url: up.url, weight: 1 }] });
    await gw.addKeys(aid, ["sk-ant-intake-upstream-1"]);
    anthropicGroup = { id: aid, name: "an" };
  });

  const post = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.base}${path}`, { method: "POST", ...init, headers: { "content-type": "application/json", ...init.headers } });

  it("removes all four client credentials before forwarding", async () => {
    const res = await post(`/proxy/oa/v1/chat/completions?key=${access}&x=1`, {
      headers: { authorization: `Bearer ${access}`, "x-api-key": access, "x-goog-api-key": access },
      body: JSON.stringify({ model: "m", messages: [] }),
    });
    expect(res.status).toBe(200);
    const seen = up.requests[0]!;
    expect(seen.search.toString()).toBe("x=1");
    expect(seen.headers.get("x-api-key")).toBeNull();
    expect(seen.headers.get("x-goog-api-key")).toBeNull();
    expect(seen.headers.get("authorization")).toBe("Bearer sk-intake-upstream-1");
    for (const [, value] of seen.headers) expect(value).not.toContain(access);
  });

  it("answers an unknown group with 404 in the shape the client speaks", async () => {
    const client = new OpenAI({ apiKey: access, baseURL: `${gw.base}/proxy/nope/v1`, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: "m", messages: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.message).toContain('unknown group "nope"');
    const anth = new Anthropic({ apiKey: access, baseURL: `${gw.base}/proxy/nope`, maxRetries: 0 });
    const aerr = await anth.messages.create({ model: "c", max_tokens: 1, messages: [] }).catch((e) => e);
    expect(aerr).toBeInstanceOf(Anthropic.NotFoundError);
    expect(aerr.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(up.requests).toHaveLength(0);
  });

  it("answers 401 for a missing or wrong access key, in the channel's native shape", async () => {
    const missing = await post("/proxy/oa/v1/chat/completions", { body: "{}" });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.message).toContain("missing access key");
    const client = new OpenAI({ apiKey: "pk-wrong", baseURL: `${gw.base}/proxy/oa/v1`, maxRetries: 0 });
    expect(await client.chat.completions.create({ model: "m", messages: [] }).catch((e) => e)).toBeInstanceOf(OpenAI.AuthenticationError);
    const anth = new Anthropic({ apiKey: "pk-wrong", baseURL: `${gw.base}/proxy/an`, maxRetries: 0 });
    const aerr = await anth.messages.create({ model: "c", max_tokens: 1, messages: [] }).catch((e) => e);
    expect(aerr).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(aerr.error.error.message).toContain("invalid access key");
    expect(up.requests).toHaveLength(0);
  });

  it("answers 403 for a key scoped to other groups and for a disabled group", async () => {
    const scoped = (await gw.createAccessKey({ name: "only-an", group_ids: [anthropicGroup.id] })).secret;
    const res = await post("/proxy/oa/v1/chat/completions", { headers: { authorization: `Bearer ${scoped}` }, body: "{}" });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain('may not use group "oa"');

    const off = await gw.createGroup({ name: "off", channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }], enabled: false });
    await gw.addKeys(off, ["sk-off-upstream-0001"]);
    const disabled = await post("/proxy/off/v1/chat/completions", { headers: { authorization: `Bearer ${access}` }, body: "{}" });
    expect(disabled.status).toBe(403);
    expect((await disabled.json()).error.message).toContain('group "off" is disabled');
    expect(up.requests).toHaveLength(0);
  });

  it("enforces an access key's requests per minute with 429 and Retry-After", async () => {
    const limited = (await gw.createAccessKey({ name: "slow", rpm_limit: 2 })).secret;
    const send = () => post("/proxy/oa/v1/chat/completions", { headers: { authorization: `Bearer ${limited}` }, body: '{"model":"m"}' });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await third.json()).error.message).toContain("2 requests per minute");
    expect(up.requests).toHaveLength(2);
  });

  it("passes a 64 MiB body and refuses a larger one with 413", async () => {
    const cap = 64 * 1024 * 1024;
    const big = new Uint8Array(cap).fill(0x61);
    const ok = await post("/proxy/oa/v1/files", { headers: { authorization: `Bearer ${access}`, "content-type": "application/octet-stream" }, body: big });
    expect(ok.status).toBe(200);
    expect(up.requests[0]!.bytes.byteLength).toBe(cap);
    const over = await post("/proxy/oa/v1/files", {
      headers: { authorization: `Bearer ${access}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(cap + 1),
    });
    expect(over.status).toBe(413);
    expect((await over.json()).error.message).toContain("64 MiB");
    expect(up.requests).toHaveLength(1);
  });

  it("counts a chunked body while it arrives and refuses it past the cap", async () => {
    await gw.patchSettings({ max_body_bytes: 4096 });
    try {
      const chunked = (n: number) =>
        new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < n; i++) c.enqueue(new Uint8Array(1024));
            c.close();
          },
        });
      const small = await post("/proxy/oa/v1/files", { headers: { authorization: `Bearer ${access}`, "content-type": "application/octet-stream" }, body: chunked(4) });
      expect(small.status).toBe(200);
      const large = await post("/proxy/oa/v1/files", { headers: { authorization: `Bearer ${access}`, "content-type": "application/octet-stream" }, body: chunked(5) });
      expect(large.status).toBe(413);
      expect(up.requests).toHaveLength(1);
    } finally {
      await gw.patchSettings({ max_body_bytes: 64 * 1024 * 1024 });
    }
  });
});
