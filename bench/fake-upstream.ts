// The benchmark's fake OpenAI upstream, run as its own process on 127.0.0.1 (port 0).
// POST /v1/chat/completions answers a ~300 B JSON body, or an SSE stream of chat.completion.chunk
// events when the body says `"stream": true` (bench_chunks / bench_gap_ms / bench_timestamps
// shape it). GET /bench/stats and POST /bench/stats/reset: requests, connections, distinct keys.
// It must stay cheap and identical for every target: no logging, no per-request work it can avoid.

const encoder = new TextEncoder();

const JSON_ANSWER = encoder.encode(
  JSON.stringify({
    id: "chatcmpl-bench0000000000000000000000",
    object: "chat.completion",
    created: 1700000000,
    model: "gpt-4o-mini-2024-07-18",
    choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 },
  }),
);

const DONE = encoder.encode("data: [DONE]\n\n");

interface StreamShape {
  chunks: number;
  gapMs: number;
  timestamps: boolean;
}

/** One SSE event; the last of `total` carries usage and no choices (as with include_usage). */
function chunkEvent(index: number, total: number, sentAt?: number): string {
  const stamp = sentAt === undefined ? "" : `,"x_sent":${sentAt.toFixed(3)}`;
  const head = `{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini"${stamp},`;
  if (index === total - 1) {
    return `data: ${head}"choices":[],"usage":{"prompt_tokens":14,"completion_tokens":${total - 1},"total_tokens":${total + 13}}}\n\n`;
  }
  const delta = index === 0 ? `{"role":"assistant","content":""}` : `{"content":"tok${index} "}`;
  return `data: ${head}"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${index === total - 2 ? '"stop"' : "null"}}]}\n\n`;
}

// Untimestamped events are the same for every request: build them once per chunk count.
const cachedEvents = new Map<number, Uint8Array[]>();
function fixedEvents(total: number): Uint8Array[] {
  let events = cachedEvents.get(total);
  if (!events) {
    events = Array.from({ length: total }, (_, i) => encoder.encode(chunkEvent(i, total)));
    cachedEvents.set(total, events);
  }
  return events;
}

/** Milliseconds on the wall clock with sub-ms precision, comparable across processes on this host. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

function sseStream(shape: StreamShape, signal: AbortSignal): ReadableStream<Uint8Array> {
  const events = shape.timestamps ? undefined : fixedEvents(shape.chunks);
  const source: Bun.DirectUnderlyingSource<Uint8Array> = {
    type: "direct",
    async pull(controller: ReadableStreamDirectController) {
      for (let i = 0; i < shape.chunks; i++) {
        if (i > 0 && shape.gapMs > 0) await Bun.sleep(shape.gapMs);
        if (signal.aborted) return controller.close();
        await controller.write(events ? events[i]! : chunkEvent(i, shape.chunks, wallNow()));
        // One socket write per event, as a real upstream produces them.
        await controller.flush();
        if (shape.gapMs === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await controller.write(DONE);
      controller.close();
    },
  };
  // tsconfig's DOM lib hides Bun's "direct" overload of the constructor; the runtime has it.
  return new ReadableStream(source as unknown as UnderlyingDefaultSource<Uint8Array>);
}

let requests = 0;
const keys = new Set<string>();
// Client ports seen: each keep-alive connection has its own, so this counts connections.
const clientPorts = new Set<number>();

export const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  development: false,
  async fetch(req, self) {
    const url = new URL(req.url);
    if (url.pathname === "/bench/stats") return Response.json({ requests, connections: clientPorts.size, distinct_keys: keys.size });
    if (url.pathname === "/bench/stats/reset") {
      requests = 0;
      keys.clear();
      clientPorts.clear();
      return Response.json({ ok: true });
    }
    if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
      return Response.json({ error: { message: "not found", type: "invalid_request_error" } }, { status: 404 });
    }
    requests++;
    const port = self.requestIP(req)?.port;
    if (port !== undefined) clientPorts.add(port);
    const auth = req.headers.get("authorization");
    if (auth) keys.add(auth);
    const body = (await req.json()) as { stream?: boolean; bench_chunks?: number; bench_gap_ms?: number; bench_timestamps?: boolean };
    if (!body.stream) return new Response(JSON_ANSWER, { headers: { "content-type": "application/json" } });
    const shape = { chunks: Math.max(2, body.bench_chunks ?? 50), gapMs: body.bench_gap_ms ?? 0, timestamps: body.bench_timestamps === true };
    return new Response(sseStream(shape, req.signal), {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  },
});

process.stdout.write(JSON.stringify({ ready: true, port: server.port }) + "\n");
