// Model lists through a real gateway and fake upstreams, read with the official SDKs: redirect
// aliases added (or alone when strict), an aggregate group's union of its members' lists, and
// byte-for-byte passthrough when the group changes nothing.

import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { FakeReply, FakeUpstream } from "../support/fake-upstream.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

let gw: ProxyGateway;
let up: FakeUpstream;
let up2: FakeUpstream;
let access: string;
let seq = 0;

useProxyGateway({ upstreams: 2, accessKey: "lists" }, (rig) => {
  gw = rig.gw;
  [up, up2] = rig.upstreams as [FakeUpstream, FakeUpstream];
  access = rig.access!.secret;
});

async function group(channel: string, extra: Record<string, unknown> = {}, upstream = up, keys = [`sk-list-${++seq}-000000000`]): Promise<{ id: number; name: string }> {
  const name = `list${++seq}`;
  const id = await gw.createGroup({ name, channel_type: channel, upstreams: [{ url: upstream.url, weight: 1 }], ...extra });
  if (keys.length) await gw.addKeys(id, keys);
  return { id, name };
}

async function aggregate(channel: string, members: { id: number }[]): Promise<string> {
  const name = `agglist${++seq}`;
  await gw.createGroup({ name, channel_type: channel, upstreams: [], sub_groups: members.map((m) => ({ group_id: m.id, weight: 1 })) });
  return name;
}

const openaiList = (...ids: string[]): FakeReply => ({ json: { object: "list", data: ids.map((id) => ({ id, object: "model", created: 1, owned_by: "openai" })) } });
const openaiClient = (name: string, path = "/v1") => new OpenAI({ apiKey: access, baseURL: `${gw.base}/proxy/${name}${path}`, maxRetries: 0 });

async function openaiIds(name: string, path?: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const m of openaiClient(name, path).models.list()) ids.push(m.id);
  return ids;
}

describe("model lists", () => {
  it("passes a list through byte for byte when the group has no redirects", async () => {
    const g = await group("openai");
    const body = '{ "object":"list",\n  "data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"openai"}] }';
    up.setDefault({ headers: { "content-type": "application/json" }, body });
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/models`, { headers: { authorization: `Bearer ${access}` } });
    expect(await res.text()).toBe(body);
  });

  it("adds the redirect aliases to an OpenAI list, described like their targets", async () => {
    const g = await group("openai", { model_redirect: { fast: "gpt-4o-mini", custom: "my-finetune" } });
    up.setDefault(openaiList("gpt-4o", "gpt-4o-mini"));
    const models: OpenAI.Models.Model[] = [];
    for await (const m of openaiClient(g.name).models.list()) models.push(m);
    expect(models.map((m) => m.id)).toEqual(["gpt-4o", "gpt-4o-mini", "fast", "custom"]);
    expect(models[2]).toMatchObject({ object: "model", created: 1, owned_by: "openai" });
    expect(models[3]).toMatchObject({ object: "model", owned_by: "poolgate" });
    expect(up.requests[0]!.path).toBe("/v1/models");
    const log = (await gw.logs()).filter((l) => l.group_name === g.name).at(-1)!;
    expect(log.status).toBe(200);
  });

  it("lists only the aliases when the redirect is strict", async () => {
    const g = await group("openai-responses", { model_redirect: { fast: "gpt-4o-mini" }, model_redirect_strict: true });
    up.setDefault(openaiList("gpt-4o", "gpt-4o-mini"));
    expect(await openaiIds(g.name)).toEqual(["fast"]);
  });

  it("lists the union of an aggregate group's members, each with its own redirects", async () => {
    const a = await group("openai", {}, up);
    const b = await group("openai", { model_redirect: { "b-fast": "gpt-4o-mini" } }, up2);
    const agg = await aggregate("openai", [a, b]);
    up.setDefault(openaiList("gpt-4o", "o3"));
    up2.setDefault(openaiList("gpt-4o", "gpt-4o-mini"));
    expect((await openaiIds(agg)).sort()).toEqual(["b-fast", "gpt-4o", "gpt-4o-mini", "o3"]);
    expect([up.requests.length, up2.requests.length]).toEqual([1, 1]);
    const logs = (await gw.logs()).filter((l) => l.group_name === agg);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.status).toBe(200);
    expect(JSON.parse(logs[0]!.attempts)).toHaveLength(2);
  });

  it("leaves a failing member out of an aggregate's list, retrying it on another key first", async () => {
    const a = await group("openai", {}, up, ["sk-list-fail-00000001", "sk-list-fail-00000002"]);
    const b = await group("openai", {}, up2);
    const empty = await group("openai", {}, up, []);
    const agg = await aggregate("openai", [a, b, empty]);
    up.setDefault({ status: 500, body: "down" });
    up2.setDefault(openaiList("only-b"));
    expect(await openaiIds(agg)).toEqual(["only-b"]);
    expect(up.requests).toHaveLength(2);
  });

  it("answers like an ordinary request when every member fails", async () => {
    const a = await group("openai", {}, up);
    const agg = await aggregate("openai", [a]);
    up.setDefault({ status: 400, json: { error: { message: "no lists today", type: "invalid_request_error" } } });
    const res = await fetch(`${gw.base}/proxy/${agg}/v1/models`, { headers: { authorization: `Bearer ${access}` } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("no lists today");
  });

  it("keeps Anthropic's list shape and its first and last ids", async () => {
    const g = await group("anthropic", { model_redirect: { quick: "claude-3-5-haiku-latest" } });
    up.setDefault({
      json: {
        data: [{ type: "model", id: "claude-3-5-haiku-latest", display_name: "Claude Haiku 3.5", created_at: "2024-10-22T00:00:00Z" }],
        has_more: false,
        first_id: "claude-3-5-haiku-latest",
        last_id: "claude-3-5-haiku-latest",
      },
    });
    const client = new Anthropic({ apiKey: access, baseURL: `${gw.base}/proxy/${g.name}`, maxRetries: 0 });
    const page = await client.models.list();
    expect(page.data.map((m) => [m.id, m.display_name])).toEqual([
      ["claude-3-5-haiku-latest", "Claude Haiku 3.5"],
      ["quick", "quick"],
    ]);
    expect(up.requests[0]!.headers.get("x-api-key")).toMatch(/^sk-list-/);
    const raw = await fetch(`${gw.base}/proxy/${g.name}/v1/models`, { headers: { "x-api-key": access } });
    expect(await raw.json()).toMatchObject({ has_more: false, first_id: "claude-3-5-haiku-latest", last_id: "quick" });
  });

  it("adds aliases to Gemini's native list as models/<alias>", async () => {
    const g = await group("gemini", { model_redirect: { flash: "gemini-2.0-flash" } });
    up.setDefault({
      json: { models: [{ name: "models/gemini-2.0-flash", displayName: "Gemini 2.0 Flash", inputTokenLimit: 1_048_576, supportedGenerationMethods: ["generateContent"] }] },
    });
    const ai = new GoogleGenAI({ apiKey: access, httpOptions: { baseUrl: `${gw.base}/proxy/${g.name}` } });
    const names: string[] = [];
    for await (const m of await ai.models.list()) names.push(m.name!);
    expect(names).toEqual(["models/gemini-2.0-flash", "models/flash"]);
    expect(up.requests[0]!.path).toMatch(/^\/v1(beta)?\/models$/);
    expect(up.requests[0]!.headers.get("x-goog-api-key")).toMatch(/^sk-list-/);
  });

  it("adds aliases to Gemini's OpenAI-compatible list as spelled in the redirect", async () => {
    const g = await group("gemini", { model_redirect: { flash: "gemini-2.0-flash" }, model_redirect_strict: true });
    up.setDefault({ json: { object: "list", data: [{ id: "models/gemini-2.0-flash", object: "model", created: 0, owned_by: "google" }] } });
    expect(await openaiIds(g.name, "/v1beta/openai")).toEqual(["flash"]);
    expect(up.requests[0]!.path).toBe("/v1beta/openai/models");
    expect(up.requests[0]!.headers.get("authorization")).toMatch(/^Bearer sk-list-/);
  });

  it("relays a list it cannot read unchanged", async () => {
    const g = await group("openai", { model_redirect: { fast: "gpt-4o-mini" } });
    up.setDefault({ headers: { "content-type": "text/plain" }, body: "not json" });
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/models`, { headers: { authorization: `Bearer ${access}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("not json");
  });
});
