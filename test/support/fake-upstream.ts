// A scriptable stand-in for a provider: a real Bun.serve on port 0 that records every request
// (method, path, query, headers, body) and answers from a queue of scripted replies, then from a
// default. Replies can be slow, stream SSE, break mid-stream or hang until the caller aborts.

import type { Server } from "bun";

export interface StreamScript {
  /** Raw chunks, sent in order (strings are UTF-8 encoded). */
  chunks: (string | Uint8Array)[];
  /** After the chunks: "end" closes cleanly, "reset" breaks the connection, "hang" never ends. */
  then?: "end" | "reset" | "hang";
  /** Waits for this before the "end" or "reset" (lets a test see the chunks arrive first). */
  thenAfter?: Promise<unknown>;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  stream?: StreamScript;
  /** Holds the response headers back until this promise settles (or the request is aborted). */
  holdUntil?: Promise<unknown>;
  /** Never answers; the request waits until the client side aborts it. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  json(): any;
  /** Resolves when the gateway aborts this request (before or after the answer started). */
  aborted: Promise<void>;
  wasAborted: boolean;
}

export type ReplyScript = FakeReply | ((req: RecordedRequest) => FakeReply);

export interface FakeUpstream {
  url: string;
  server: Server<undefined>;
  requests: RecordedRequest[];
  /** Replies used once each, in order, before the default. */
  queue(...replies: ReplyScript[]): void;
  /** The reply once the queue is empty. */
  setDefault(reply: ReplyScript): void;
  /** Resolves with the n-th request (0-based) as soon as it has arrived. */
  request(n: number): Promise<RecordedRequest>;
  reset(): void;
  close(): Promise<void>;
}

const encoder = new TextEncoder();

export function startFakeUpstream(defaultReply: ReplyScript = { json: { ok: true } }): FakeUpstream {
  const requests: RecordedRequest[] = [];
  let queue: ReplyScript[] = [];
  let fallback = defaultReply;
  let waiters: { n: number; resolve: (r: RecordedRequest) => void }[] = [];

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    maxRequestBodySize: 2 * 1024 * 1024 * 1024,
    async fetch(request) {
      const url = new URL(request.url);
      const bytes = new Uint8Array(await request.arrayBuffer());
      let markAborted!: () => void;
      const aborted = new Promise<void>((resolve) => (markAborted = resolve));
      const rec: RecordedRequest = {
        method: request.method,
        path: url.pathname,
        search: url.searchParams,
        headers: request.headers,
        bytes,
        text: new TextDecoder().decode(bytes),
        json: () => JSON.parse(rec.text),
        aborted,
        wasAborted: false,
      };
      const abort = () => {
        if (rec.wasAborted) return;
        rec.wasAborted = true;
        markAborted();
      };
      request.signal.addEventListener("abort", abort, { once: true });
      requests.push(rec);
      waiters = waiters.filter((w) => {
        if (w.n !== requests.length - 1) return true;
        w.resolve(rec);
        return false;
      });

      const script = queue.shift() ?? fallback;
      const reply = typeof script === "function" ? script(rec) : script;
      if (reply.hang) {
        await aborted;
        return new Response(null, { status: 499 });
      }
      if (reply.holdUntil) await Promise.race([reply.holdUntil, aborted]);
      const headers = new Headers(reply.headers);
      const status = reply.status ?? 200;
      if (reply.stream) {
        if (!headers.has("content-type")) headers.set("content-type", "text/event-stream");
        const { chunks, then = "end", thenAfter } = reply.stream;
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (i < chunks.length) {
              const c = chunks[i++]!;
              controller.enqueue(typeof c === "string" ? encoder.encode(c) : c);
              return;
            }
            if (thenAfter) await Promise.race([thenAfter, aborted]);
            if (then === "end") controller.close();
            else if (then === "reset") controller.error(new Error("fake upstream reset"));
            else await aborted;
          },
          cancel() {
            abort();
          },
        });
        return new Response(body, { status, headers });
      }
      if (reply.json !== undefined) {
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
        return new Response(JSON.stringify(reply.json), { status, headers });
      }
      return new Response(reply.body ?? "", { status, headers });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    requests,
    queue: (...replies) => void queue.push(...replies),
    setDefault(reply) {
      fallback = reply;
    },
    request(n) {
      const seen = requests[n];
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    reset() {
      requests.length = 0;
      queue = [];
      fallback = defaultReply;
    },
    close: () => server.stop(true),
  };
}

/** One SSE event as a provider writes it (`event:` line only when named). */
export function sseEvent(data: unknown, event?: string): string {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${text}\n\n`;
}
