// The proxy route end to end: a real gateway on a real port, a fake upstream, and the official
// SDKs with only their base URL changed, for each channel, stream and not (usage logged too).
// Retries, auth, bodies, rules and broken streams have their own files beside this one.

import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import { describe, expect, it } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import {
  anthropicMessage,
  anthropicStream,
  geminiReply,
  geminiStream,
  openaiChat,
  openaiChatStream,
  responsesReply,
  responsesStream,
} from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

let gw: ProxyGateway;
let up: FakeUpstream;
let access: string;
let groupSeq = 0;

useProxyGateway({ accessKey: "all-groups" }, (rig) => {
  gw = rig.gw;
  up = rig.upstreams[0]!;
  access = rig.access!.secret;
});

/** A fresh group (unique name) on the fake upstream with the given keys. */
async function group(channel: string, keys: string[], extra: Record<string, unknown> = {}): Promise<{ id: number; name: string }> {
  const name = `g${++groupSeq}-${channel}`;
  const id = await gw.createGroup({ name, channel_type: channel, upstreams: [{ url: up.url, weight: 1 }], ...extra });
  if (keys.length) await gw.addKeys(id, keys);
  return { id, name };
}

function openaiClient(name: string, apiKey = access) {
  return new OpenAI({ apiKey, baseURL: `${gw.base}/proxy/${name}/v1`, maxRetries: 0 });
}

describe("proxy route", () => {
  it("forwards an OpenAI chat completion with the upstream key and logs one entry with usage", async () => {
    const g = await group("openai", ["sk-upstream-aaaa1111"]);
    up.setDefault(openaiChat("hi there"));
    const res = await openaiClient(g.name).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]!.message.content).toBe("hi there");
    expect(up.requests).toHaveLength(1);
    const seen = up.requests[0]!;
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.headers.get("authorization")).toBe("Bearer sk-upstream-aaaa1111");
    expect(seen.json().model).toBe("gpt-4o-mini");
    const log = (await gw.logs()).at(-1)!;
    expect(log).toMatchObject({ group_name: g.name, status: 200, model: "gpt-4o-mini", input_tokens: 5, output_tokens: 2, cached_tokens: 1, stream: 0 });
    expect(JSON.parse(log.attempts)).toHaveLength(1);
  });

  it("streams an OpenAI chat completion and takes usage from the stream", async () => {
    const g = await group("openai", ["sk-upstream-stream01"]);
    up.setDefault(openaiChatStream(["hel", "lo"]));
    const stream = await openaiClient(g.name).chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("hello");
    const log = (await gw.logs()).at(-1)!;
    expect(log).toMatchObject({ status: 200, stream: 1, input_tokens: 5, output_tokens: 2 });
  });

  it("sets no-buffering headers and X-Request-Id on event streams", async () => {
    const g = await group("openai", ["sk-upstream-hdrs0001"]);
    up.setDefault(openaiChatStream());
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [] }),
    });
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toContain("[DONE]");
  });

  it("forwards the OpenAI Responses API, stream and not", async () => {
    const g = await group("openai-responses", ["sk-upstream-resp0001"]);
    const client = openaiClient(g.name);
    up.queue(responsesReply("plain"), responsesStream(["a", "b"]));
    const plain = await client.responses.create({ model: "gpt-4o-mini", input: "hi" });
    expect(plain.output_text).toBe("plain");
    const events: string[] = [];
    const stream = await client.responses.create({ model: "gpt-4o-mini", input: "hi", stream: true });
    for await (const e of stream) events.push(e.type);
    expect(events.at(-1)).toBe("response.completed");
    expect(up.requests.map((r) => r.path)).toEqual(["/v1/responses", "/v1/responses"]);
    const logs = (await gw.logs()).slice(-2);
    expect(logs.map((l) => [l.stream, l.input_tokens, l.output_tokens])).toEqual([[0, 5, 2], [1, 5, 2]]);
  });

  it("forwards Anthropic messages with x-api-key and a default anthropic-version, stream and not", async () => {
    const g = await group("anthropic", ["sk-ant-upstream-0001"]);
    const client = new Anthropic({ apiKey: access, baseURL: `${gw.base}/proxy/${g.name}`, maxRetries: 0 });
    up.queue(anthropicMessage("plain"), anthropicStream(["x", "y"]));
    const msg = await client.messages.create({ model: "claude-3-5-haiku-latest", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    expect(msg.content[0]).toMatchObject({ type: "text", text: "plain" });
    const stream = client.messages.stream({ model: "claude-3-5-haiku-latest", max_tokens: 10, messages: [{ role: "user", content: "hi" }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "xy" });
    for (const r of up.requests) {
      expect(r.path).toBe("/v1/messages");
      expect(r.headers.get("x-api-key")).toBe("sk-ant-upstream-0001");
      expect(r.headers.get("authorization")).toBeNull();
      expect(r.headers.get("anthropic-version")).toBeTruthy();
    }
    const logs = (await gw.logs()).slice(-2);
    expect(logs.map((l) => [l.status, l.stream, l.output_tokens])).toEqual([[200, 0, 2], [200, 1, 2]]);
  });

  it("forwards Gemini generateContent and its SSE stream with x-goog-api-key", async () => {
    const g = await group("gemini", ["AIza-upstream-gem-0001"]);
    const ai = new GoogleGenAI({ apiKey: access, httpOptions: { baseUrl: `${gw.base}/proxy/${g.name}` } });
    up.queue(geminiReply("plain"), geminiStream(["a", "b"]));
    const res = await ai.models.generateContent({ model: "gemini-2.0-flash", contents: "hi" });
    expect(res.text).toBe("plain");
    let text = "";
    for await (const chunk of await ai.models.generateContentStream({ model: "gemini-2.0-flash", contents: "hi" })) text += chunk.text ?? "";
    expect(text).toBe("ab");
    expect(up.requests[0]!.path).toMatch(/\/models\/gemini-2\.0-flash:generateContent$/);
    expect(up.requests[1]!.path).toMatch(/:streamGenerateContent$/);
    for (const r of up.requests) {
      expect(r.headers.get("x-goog-api-key")).toBe("AIza-upstream-gem-0001");
      expect(r.search.get("key")).toBeNull();
    }
    const logs = (await gw.logs()).slice(-2);
    expect(logs.map((l) => [l.model, l.stream, l.input_tokens])).toEqual([["gemini-2.0-flash", 0, 5], ["gemini-2.0-flash", 1, 5]]);
  });
});
