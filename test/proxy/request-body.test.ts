// The request body: parsed lazily and at most once, sent as the same bytes unless a rule changes
// it; model_redirect (body and Gemini path, strict mode), param_overrides, multipart untouched.

import { describe, expect, it } from "bun:test";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { getChannel } from "../../src/channels/index.ts";
import { createRequestBody, prepareRequest } from "../../src/proxy/request-body.ts";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { geminiReply, openaiChat } from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

const openai = getChannel("openai")!;
const gemini = getChannel("gemini")!;
const noRules = { modelRedirect: {}, modelRedirectStrict: false, paramOverrides: {} };
const bytesOf = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe("prepareRequest", () => {
  it("sends the client's own bytes when no rule changes the body", () => {
    const bytes = bytesOf({ model: "gpt-4o", messages: [] });
    const p = prepareRequest(openai, "/v1/chat/completions", createRequestBody(bytes, "application/json"), noRules);
    expect(p).toMatchObject({ kind: "ok", model: "gpt-4o", upstreamModel: "gpt-4o" });
    expect(p.kind === "ok" && p.body).toBe(bytes);
  });

  it("parses the body once however often it is prepared", () => {
    const body = createRequestBody(bytesOf({ model: "a" }), "application/json");
    expect(body.json()).toBe(body.json());
  });

  it("redirects the model in a shallow copy, leaving the parsed original for other members", () => {
    const body = createRequestBody(bytesOf({ model: "a", n: 1 }), "application/json");
    const p = prepareRequest(openai, "/v1/chat/completions", body, { ...noRules, modelRedirect: { a: "b" } });
    expect(p.kind === "ok" && JSON.parse(p.body as string)).toEqual({ model: "b", n: 1 });
    expect(p).toMatchObject({ model: "a", upstreamModel: "b" });
    expect(body.json()).toEqual({ model: "a", n: 1 });
  });

  it("refuses an unlisted model in strict mode and lets it through otherwise", () => {
    const body = createRequestBody(bytesOf({ model: "c" }), "application/json");
    expect(prepareRequest(openai, "/v1/x", body, { ...noRules, modelRedirect: { a: "b" }, modelRedirectStrict: true })).toEqual({ kind: "unknown-model", model: "c" });
    expect(prepareRequest(openai, "/v1/x", body, { ...noRules, modelRedirect: { a: "b" } })).toMatchObject({ kind: "ok", upstreamModel: "c" });
  });

  it("rewrites a Gemini model in the path", () => {
    const p = prepareRequest(gemini, "/v1beta/models/flash:generateContent", createRequestBody(bytesOf({ contents: [] }), "application/json"), {
      ...noRules,
      modelRedirect: { flash: "gemini-2.0-flash" },
    });
    expect(p).toMatchObject({ kind: "ok", path: "/v1beta/models/gemini-2.0-flash:generateContent", upstreamModel: "gemini-2.0-flash" });
  });

  it("leaves a multipart body untouched even with overrides", () => {
    const bytes = new TextEncoder().encode("--b\r\ncontent-disposition: form-data; name=model\r\n\r\nwhisper-1\r\n--b--\r\n");
    const p = prepareRequest(openai, "/v1/audio/transcriptions", createRequestBody(bytes, "multipart/form-data; boundary=b"), {
      ...noRules,
      paramOverrides: { temperature: 0 },
    });
    expect(p.kind === "ok" && p.body).toBe(bytes);
  });
});

describe("body rules through the gateway", () => {
  let gw: ProxyGateway;
  let up: FakeUpstream;
  let access: string;

  useProxyGateway({ reply: openaiChat(), accessKey: "rules" }, (rig) => {
    gw = rig.gw;
    up = rig.upstreams[0]!;
    access = rig.access!.secret;
  });

  it("applies model_redirect and param_overrides and logs both model names", async () => {
    const id = await gw.createGroup({
      name: "redir",
      channel_type: "openai",
      upstreams: [{ url: up.url, weight: 1 }],
      model_redirect: { "my-model": "gpt-4o-mini" },
      param_overrides: { temperature: 0.2, max_tokens: 99 },
    });
    await gw.addKeys(id, ["sk-redirect-0000001"]);
    const client = new OpenAI({ apiKey: access, baseURL: `${gw.base}/proxy/redir/v1`, maxRetries: 0 });
    await client.chat.completions.create({ model: "my-model", messages: [{ role: "user", content: "hi" }], temperature: 1 });
    expect(up.requests[0]!.json()).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], temperature: 0.2, max_tokens: 99 });
    const log = (await gw.logs()).at(-1)!;
    expect([log.model, log.upstream_model]).toEqual(["my-model", "gpt-4o-mini"]);
  });

  it("refuses an unknown model with 400 in the native shape when the redirect is strict", async () => {
    const id = await gw.createGroup({
      name: "strict",
      channel_type: "openai",
      upstreams: [{ url: up.url, weight: 1 }],
      model_redirect: { fast: "gpt-4o-mini" },
      model_redirect_strict: true,
    });
    await gw.addKeys(id, ["sk-strict-00000001"]);
    const client = new OpenAI({ apiKey: access, baseURL: `${gw.base}/proxy/strict/v1`, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: "gpt-5", messages: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('model "gpt-5" is not offered by group "strict"; use one of: fast');
    expect(up.requests).toHaveLength(0);
  });

  it("redirects a Gemini model named in the path", async () => {
    const id = await gw.createGroup({ name: "gem", channel_type: "gemini", upstreams: [{ url: up.url, weight: 1 }], model_redirect: { flash: "gemini-2.0-flash" } });
    await gw.addKeys(id, ["AIza-redirect-000001"]);
    up.setDefault(geminiReply("ok"));
    const ai = new GoogleGenAI({ apiKey: access, httpOptions: { baseUrl: `${gw.base}/proxy/gem` } });
    expect((await ai.models.generateContent({ model: "flash", contents: "hi" })).text).toBe("ok");
    expect(up.requests[0]!.path).toMatch(/\/models\/gemini-2\.0-flash:generateContent$/);
  });
});
