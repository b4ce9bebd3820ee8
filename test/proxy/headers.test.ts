// Header policy: what reaches the upstream (no client auth, no hop-by-hop, channel defaults
// only when absent, header_rules with variables) and what the client gets back.

import { describe, expect, it } from "bun:test";
import { buildResponseHeaders, buildUpstreamHeaders, expandVariables } from "../../src/proxy/headers.ts";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";

const vars = { clientIp: "10.0.0.1", groupName: "g", requestId: "req-1" };

describe("headers", () => {
  it("drops client auth and hop-by-hop headers and keeps the rest", () => {
    const out = buildUpstreamHeaders(
      new Headers({ authorization: "Bearer pk", "x-api-key": "pk", "x-goog-api-key": "pk", connection: "keep-alive", host: "me", "x-custom": "1", "content-length": "5" }),
      {},
      [],
      vars,
    );
    expect([...out.keys()].sort()).toEqual(["accept-encoding", "x-custom"]);
  });

  it("adds channel defaults only when the client sent none, then applies rules in order", () => {
    const out = buildUpstreamHeaders(
      new Headers({ "anthropic-version": "2024-01-01", "x-drop": "1" }),
      { "anthropic-version": "2023-06-01", "x-default": "d" },
      [
        { action: "set", name: "x-trace", value: "${request_id}@${group_name} from ${client_ip}" },
        { action: "remove", name: "x-drop" },
        { action: "remove", name: "x-default" },
      ],
      vars,
    );
    expect(out.get("anthropic-version")).toBe("2024-01-01");
    expect(out.get("x-trace")).toBe("req-1@g from 10.0.0.1");
    expect(out.has("x-drop")).toBe(false);
    expect(out.has("x-default")).toBe(false);
  });

  it("leaves unknown variables as written", () => {
    expect(expandVariables("${nope} ${group_name}", vars)).toBe("${nope} g");
  });

  it("marks event streams unbuffered and adds the request id", () => {
    const out = buildResponseHeaders(new Headers({ "content-type": "text/event-stream", "transfer-encoding": "chunked", "content-length": "9" }), "req-9", true);
    expect(Object.fromEntries(out)).toEqual({ "content-type": "text/event-stream", "x-accel-buffering": "no", "cache-control": "no-cache", "x-request-id": "req-9" });
  });
});

describe("header rules through the gateway", () => {
  let gw: ProxyGateway;
  let up: FakeUpstream;

  useProxyGateway({ reply: openaiChat(), reset: false }, (rig) => {
    gw = rig.gw;
    up = rig.upstreams[0]!;
  });

  it("sets and removes headers on the upstream request with ${client_ip}, ${group_name} and ${request_id}", async () => {
    const { secret } = await gw.createAccessKey({ name: "hdr" });
    const id = await gw.createGroup({
      name: "hdr",
      channel_type: "openai",
      upstreams: [{ url: up.url, weight: 1 }],
      header_rules: [
        { action: "set", name: "X-Origin", value: "${client_ip}|${group_name}|${request_id}" },
        { action: "remove", name: "X-Secret-Client" },
      ],
    });
    await gw.addKeys(id, ["sk-header-rules-001"]);
    const res = await fetch(`${gw.base}/proxy/hdr/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "x-secret-client": "hide me", "x-keep": "yes" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const seen = up.requests[0]!.headers;
    const [ip, group, requestId] = seen.get("x-origin")!.split("|");
    expect(ip).toBe("127.0.0.1");
    expect(group).toBe("hdr");
    expect(requestId).toBe(res.headers.get("x-request-id")!);
    expect(seen.has("x-secret-client")).toBe(false);
    expect(seen.get("x-keep")).toBe("yes");
  });
});
