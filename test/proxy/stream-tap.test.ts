// Streams after the first byte: a reset or a silent upstream ends the client's stream (no
// retry, counted on the upstream), and a client that leaves aborts the upstream and is logged
// as 499, whether it leaves before the answer or in the middle of a stream.

import { describe, expect, it } from "bun:test";
import { AttemptControl } from "../../src/proxy/forward.ts";
import { tapStream, type StreamEnd } from "../../src/proxy/stream-tap.ts";
import type { FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChatStream } from "../support/provider-replies.ts";
import { type ProxyGateway, useProxyGateway } from "../support/proxy-gateway.ts";
import { until } from "../support/until.ts";

describe("tapStream", () => {
  it("hands every chunk on before showing it to the observer, and reports the end once", async () => {
    const order: string[] = [];
    const ends: StreamEnd[] = [];
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1]));
        c.enqueue(new Uint8Array([2]));
        c.close();
      },
    });
    const tapped = tapStream(source, {
      control: new AttemptControl(new AbortController().signal),
      observe: (chunk) => order.push(`seen ${chunk[0]}`),
      onEnd: (e) => ends.push(e),
    });
    const reader = tapped.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      order.push(`read ${value[0]}`);
    }
    expect(order).toEqual(["seen 1", "read 1", "seen 2", "read 2"]);
    expect(ends).toEqual([{ kind: "done" }]);
  });

  it("reports a client that cancels as gone and aborts the attempt", async () => {
    const ends: StreamEnd[] = [];
    const control = new AttemptControl(new AbortController().signal);
    const tapped = tapStream(new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }), { control, onEnd: (e) => ends.push(e) });
    await tapped.cancel("bye");
    expect(ends).toEqual([{ kind: "client-gone" }]);
    expect(control.signal.aborted).toBe(true);
  });
});

describe("streams through the gateway", () => {
  let gw: ProxyGateway;
  let up: FakeUpstream;
  let access: string;
  let seq = 0;

  useProxyGateway({ accessKey: "streams" }, (rig) => {
    gw = rig.gw;
    up = rig.upstreams[0]!;
    access = rig.access!.secret;
  });

  async function group(config: Record<string, unknown> = {}) {
    const name = `st${++seq}`;
    const id = await gw.createGroup({ name, channel_type: "openai", upstreams: [{ url: up.url, weight: 1 }], config });
    await gw.addKeys(id, [`sk-stream-${seq}-000001`, `sk-stream-${seq}-000002`]);
    return { id, name };
  }
  const logOf = async (name: string) => (await gw.logs()).filter((l) => l.group_name === name).at(-1);

  it("ends the client's stream when the upstream resets mid-stream, without retrying", async () => {
    const g = await group();
    let resetNow!: () => void;
    const reply = openaiChatStream(["a", "b"], "reset");
    reply.stream!.thenAfter = new Promise<void>((resolve) => (resetNow = resolve));
    up.setDefault(reply);
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
      body: '{"model":"m","stream":true}',
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes('"b"')) text += new TextDecoder().decode((await reader.read()).value);
    resetNow();
    const end = await (async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return "done";
      }
    })().catch(() => "error");
    expect(end).toBe("error");
    expect(up.requests).toHaveLength(1);
    const log = await until(() => logOf(g.name), "log entry");
    expect(log).toMatchObject({ status: 200, error_class: "stream-error", stream: 1 });
    const states = gw.gateway.registry.byId(g.id)!.upstreams.states(Date.now());
    expect(states[0]!.failures).toBe(1);
  });

  it("ends a stream that stays silent past the idle timeout and aborts the upstream", async () => {
    const g = await group({ idle_timeout_ms: 150 });
    up.setDefault(openaiChatStream(["a"], "hang"));
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
      body: '{"model":"m","stream":true}',
    });
    expect(res.status).toBe(200);
    expect(await res.text().then(() => "ended", () => "broken")).toBe("broken");
    await up.requests[0]!.aborted;
    const log = await until(() => logOf(g.name), "log entry");
    expect(log).toMatchObject({ error_class: "stream-error" });
    expect(log!.error).toContain("idle-timeout");
  });

  it("aborts the upstream and logs 499 when the client leaves mid-stream", async () => {
    const g = await group();
    up.setDefault(openaiChatStream(["first"], "hang"));
    const ac = new AbortController();
    const res = await fetch(`${gw.base}/proxy/${g.name}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
      body: '{"model":"m","stream":true}',
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await up.requests[0]!.aborted;
    expect(up.requests[0]!.wasAborted).toBe(true);
    const log = await until(() => logOf(g.name), "log entry");
    expect(log).toMatchObject({ status: 499, error_class: "client-gone" });
  });

  it("aborts the upstream and logs 499 when the client leaves before the answer", async () => {
    const g = await group();
    up.setDefault({ hang: true });
    const ac = new AbortController();
    const pending = fetch(`${gw.base}/proxy/${g.name}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}` },
      body: '{"model":"m"}',
      signal: ac.signal,
    }).catch((e) => e);
    const seen = await up.request(0);
    ac.abort();
    await pending;
    await seen.aborted;
    const log = await until(() => logOf(g.name), "log entry");
    expect(log).toMatchObject({ status: 499, error_class: "client-gone" });
    expect(up.requests).toHaveLength(1);
  });
});
