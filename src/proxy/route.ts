// The proxy's Elysia plugin: `ANY /proxy/:group/*` with parse:'none' and no parse hooks, so the
// body stream reaches the handler untouched (STACK-NOTES). The only file of proxy/ that sees
// Elysia's context; everything below it takes a plain Request.

import { Elysia } from "elysia";
import type { ProxyHandler } from "./handle-proxy.ts";

export function proxyRoute(handle: ProxyHandler) {
  return new Elysia({ name: "proxy" }).all(
    "/proxy/:group/*",
    ({ request, params, server }) => handle(request, params.group, server?.requestIP(request)?.address ?? null),
    { parse: "none" },
  );
}
