// The request log entry of every channel, read back through GET /api/logs after a real request
// through the gateway: success, a retry on another key, every attempt failing, a stream (usage
// from its final events) and a client leaving mid-stream (issue 4). Raw fetch, not the SDKs: the
// cases need the request id header, a chosen user agent and an abort at a chosen chunk.

import { describe, expect, it } from "bun:test";
import type { LogRow } from "../../src/store/repos/logs.ts";
import type { FakeReply, FakeUpstream } from "../support/fake-upstream.ts";
import {
  anthropicMessage,
  anthropicStream,
  geminiReply,
  geminiStream,
  openaiChat,
  openaiChatStream,
  responsesReply,
  responsesStream,
  USAGE,
} from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";
import { until } from "../support/until.ts";

interface ChannelCase {
  id: string;
  model: string;
  path(stream: boolean): string;
  auth(secret: string): Record<string, string>;
  body(stream: boolean): unknown;
  reply(): FakeReply;
  stream(): FakeReply;
}

const msg = [{ role: "user", content: "hi" }];
const CHANNELS: ChannelCase[] = [
  {
    id: "openai",
    model: "gpt-4o-mini",
    path: () => "/v1/chat/completions",
    auth: (s) => ({ authorization: `Bearer ${s}` }),
    body: (stream) => ({ model: "gpt-4o-mini", messages: msg, ...(stream && { stream, stream_options: { include_usage: true } }) }),
    reply: () => openaiChat(),
    stream: () => openaiChatStream(),
  },
  {
    id: "openai-responses",
    model: "gpt-4o-mini",
    path: () => "/v1/responses",
    auth: (s) => ({ authorization: `Bearer ${s}` }),
    body: (stream) => ({ model: "gpt-4o-mini", input: "hi", stream }),
    reply: () => responsesReply(),
    stream: () => responsesStream(),
  },
  {
    id: "anthropic",
    model: "claude-3-5-haiku-latest",
    path: () => "/v1/messages",
    auth: (s) => ({ "x-api-key": s }),
    body: (stream) => ({ model: "claude-3-5-haiku-latest", max_tokens: 10, messages: msg, stream }),
    reply: () => anthropicMessage(),
    stream: () => anthropicStream(),
  },
  {
    id: "gemini",
    model: "gemini-2.0-flash",
    path: (stream) => `/v1beta/models/gemini-2.0-flash:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`,
    auth: (s) => ({ "x-goog-api-key": s }),
    body: () => ({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    reply: () => geminiReply(),
    stream: () => geminiStream(),
  },
];

const ACCESS_NAME = "request-log";
const UA = "request-log-test/1.0";

let gw: ProxyGateway;
let up: FakeUpstream;
let access: { id: number; secret: string };
let seq = 0;
/** Every upstream key handed to the gateway: none may show up in any log entry. */
const upstreamKeys: string[] = [];

useProxyGateway({ accessKey: ACCESS_NAME }, (rig) => {
  gw = rig.gw;
  up = rig.upstreams[0]!;
  access = rig.access!;
});

/** A fresh group of the channel on the fake upstream, with `n` keys and max_attempts = n. */
async function group(channel: string, n: number): Promise<{ id: number; name: string; keys: string[] }> {
  const name = `rl${++seq}-${channel}`;
  const keys = Array.from({ length: n }, (_, i) => `sk-reqlog-secret-${seq}-${i}-abcdef0123`);
  upstreamKeys.push(...keys);
  const id = await gw.createGroup({ name, channel_type: channel, upstreams: [{ url: up.url, weight: 1 }], config: { max_attempts: n } });
  await gw.addKeys(id, keys);
  return { id, name, keys };
}

function send(c: ChannelCase, groupName: string, stream: boolean, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gw.base}/proxy/${groupName}${c.path(stream)}`, {
    method: "POST",
    headers: { ...c.auth(access.secret), "content-type": "application/json", "user-agent": UA },
    body: JSON.stringify(c.body(stream)),
    signal,
  });
}

/** The group's only log entry as GET /api/logs shows it, after checking no secret is in it. */
async function entryOf(groupName: string): Promise<LogRow> {
  await gw.gateway.logQueue.settled();
  const res = await gw.call(`/api/logs?group=${groupName}`);
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: LogRow[] };
  expect(items).toHaveLength(1);
  const json = JSON.stringify(items[0]);
  for (const secret of [...upstreamKeys, access.secret]) expect(json).not.toContain(secret);
  return items[0]!;
}

/** Fields every entry that reached an upstream carries, whatever its outcome. */
function expectCommon(log: LogRow, c: ChannelCase, g: { id: number; name: string }, stream: boolean): void {
  expect(log).toMatchObject({
    group_id: g.id,
    group_name: g.name,
    sub_group_name: null,
    channel: c.id,
    model: c.model,
    upstream_model: c.model,
    stream,
    access_key_id: access.id,
    access_key_name: ACCESS_NAME,
    client_ip: expect.stringMatching(/127\.0\.0\.1$/),
    user_agent: UA,
    upstream_url: up.url,
  });
  expect(log.duration_ms).toBeGreaterThanOrEqual(0);
  expect(log.ttfb_ms).toBeGreaterThanOrEqual(0);
  expect(log.duration_ms).toBeGreaterThanOrEqual(log.ttfb_ms!);
  expect(log.key_masked).toBeString();
  expect(log.key_id).toBe(log.attempts.at(-1)!.key_id);
  expect(log.key_masked).toBe(log.attempts.at(-1)!.key_masked);
  for (const a of log.attempts) expect(a.upstream).toBe(up.url);
}

const usage = { input_tokens: USAGE.input, output_tokens: USAGE.output, cached_tokens: USAGE.cached };

describe("request log", () => {
  for (const c of CHANNELS) {
    describe(c.id, () => {
      it("logs a success with its usage, key, access key, timings and one attempt", async () => {
        const g = await group(c.id, 2);
        up.setDefault(c.reply());
        const res = await send(c, g.name, false);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        const log = await entryOf(g.name);
        expectCommon(log, c, g, false);
        expect(log).toMatchObject({ request_id: res.headers.get("x-request-id")!, status: 200, error_class: null, error: null, ...usage });
        expect(g.keys).not.toContain(log.key_masked);
        expect(log.attempts.map((a) => [a.status, a.error_class])).toEqual([[200, null]]);
      });

      it("logs both attempts of a request retried on another key after a 401, ending on the second key", async () => {
        const g = await group(c.id, 2);
        up.queue({ status: 401, json: { error: { message: "invalid api key" } } });
        up.setDefault(c.reply());
        const res = await send(c, g.name, false);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        const log = await entryOf(g.name);
        expectCommon(log, c, g, false);
        expect(log).toMatchObject({ status: 200, error_class: null, ...usage });
        expect(log.attempts.map((a) => [a.status, a.error_class])).toEqual([[401, "invalid"], [200, null]]);
        expect(log.attempts[0]!.key_id).not.toBe(log.attempts[1]!.key_id);
        const keys = gw.gateway.registry.byId(g.id)!.keys;
        const sentKey = (i: number) => c.auth(keys.get(log.attempts[i]!.key_id!)!.value);
        for (const i of [0, 1]) expect(up.requests[i]!.headers.toJSON()).toMatchObject(sentKey(i));
      });

      it("logs the last upstream status and every attempt when all of them fail with 5xx", async () => {
        const g = await group(c.id, 3);
        up.queue({ status: 500, body: "boom" }, { status: 502, body: "bad gateway" }, { status: 503, body: "unavailable" });
        const res = await send(c, g.name, false);
        expect(res.status).toBe(503);
        await res.arrayBuffer();
        expect(up.requests).toHaveLength(3);
        const log = await entryOf(g.name);
        expectCommon(log, c, g, false);
        expect(log).toMatchObject({ status: 503, error_class: "upstream-failure", input_tokens: null, output_tokens: null });
        expect(log.attempts.map((a) => [a.status, a.error_class])).toEqual([
          [500, "upstream-failure"],
          [502, "upstream-failure"],
          [503, "upstream-failure"],
        ]);
        expect(new Set(log.attempts.map((a) => a.key_id)).size).toBe(3);
      });

      it("logs a stream with the usage of its final events", async () => {
        const g = await group(c.id, 2);
        up.setDefault(c.stream());
        const res = await send(c, g.name, true);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toStartWith("text/event-stream");
        await res.text();
        const log = await until(async () => (await gw.logs()).some((l) => l.group_name === g.name), "stream log entry").then(() => entryOf(g.name));
        expectCommon(log, c, g, true);
        expect(log).toMatchObject({ request_id: res.headers.get("x-request-id")!, status: 200, error_class: null, ...usage });
        expect(log.attempts.map((a) => [a.status, a.error_class])).toEqual([[200, null]]);
      });

      it("logs 499 client-gone when the client leaves mid-stream, and aborts the upstream", async () => {
        const g = await group(c.id, 2);
        const full = c.stream().stream!;
        up.setDefault({ stream: { chunks: full.chunks.slice(0, 1), then: "hang" } });
        const ac = new AbortController();
        const res = await send(c, g.name, true, ac.signal);
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        expect((await reader.read()).done).toBe(false);
        ac.abort();
        await (await up.request(0)).aborted;
        await until(async () => (await gw.logs()).some((l) => l.group_name === g.name), "aborted log entry");
        const log = await entryOf(g.name);
        expectCommon(log, c, g, true);
        expect(log).toMatchObject({ status: 499, error_class: "client-gone" });
        expect(log.attempts.map((a) => a.status)).toEqual([200]);
      });
    });
  }
});
