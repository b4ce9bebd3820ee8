// The baseline: the smallest useful Bun proxy, run as its own process on 127.0.0.1 (port 0).
// It forwards method, path, headers and body to UPSTREAM_URL and streams the answer back with
// `new Response(upstream.body, upstream)`. It must stay minimal: no auth, no parsing, no logging;
// whatever poolgate does beyond this is what the benchmark measures.

const upstreamBase = process.env.UPSTREAM_URL;
if (!upstreamBase) throw new Error("passthrough: UPSTREAM_URL is required");

export const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  development: false,
  async fetch(req) {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("host");
    // Read the body into bytes, as poolgate does (DESIGN: "read once into bytes").
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
    const upstream = await fetch(upstreamBase + url.pathname + url.search, {
      method: req.method,
      headers,
      body,
      signal: req.signal,
      decompress: false,
    });
    return new Response(upstream.body, upstream);
  },
});

process.stdout.write(JSON.stringify({ ready: true, port: server.port }) + "\n");
