// The proxy's Elysia plugin: `ANY /proxy/:group/*` with parse:'none' and no parse hooks, so the
// body stream reaches the handler untouched (STACK-NOTES). The only file of proxy/ that sees
// Elysia's context; everything below it takes a plain Request.

import type { Server } from "bun";
import { Elysia } from "elysia";
import type { ProxyHandler } from "./handle-proxy.ts";

export function proxyRoute(handle: ProxyHandler) {
  const route = ({ request, params, server }: { request: Request; params: { group: string }; server: Server<unknown> | null }) =>
    handle(request, params.group, server?.requestIP(request)?.address ?? null);
  // GET is registered on its own too: Elysia looks in the method's own routes before ANY's, so
  // the admin UI's `GET /*` fallback would otherwise answer GET /proxy/... (model lists).
  return new Elysia({ name: "proxy" })
    .get("/proxy/:group/*", route, { parse: "none" })
    .all("/proxy/:group/*", route, { parse: "none" });
}
