// The proxy's two entry points, both `ANY /proxy/:group/*` into the same framework-free handler:
// proxyServeRoutes() for Bun.serve's native `routes` (what a listening gateway serves), and the
// Elysia plugin (parse:'none', no parse hooks, STACK-NOTES) that keeps app.handle() able to reach it.
// The only file of proxy/ that sees a framework; everything below it takes a plain Request.

import type { BunRequest, Server } from "bun";
import { Elysia } from "elysia";
import type { ProxyHandler } from "./handle-proxy.ts";

export const PROXY_ROUTE = "/proxy/:group/*";

/**
 * Bun.serve `routes` entry for the data plane. Bun matches it natively before the server's
 * `fetch` (Elysia) sees anything, for every method; `/proxy/<group>` without a path falls through
 * to Elysia as before.
 */
export function proxyServeRoutes(handle: ProxyHandler) {
  return {
    [PROXY_ROUTE]: (request: BunRequest<string>, server: Server<unknown>) =>
      handle(request, request.params.group ?? "", server.requestIP(request)?.address ?? null),
  };
}

export function proxyRoute(handle: ProxyHandler) {
  const route = ({ request, params, server }: { request: Request; params: { group: string }; server: Server<unknown> | null }) =>
    handle(request, params.group, server?.requestIP(request)?.address ?? null);
  // GET is registered on its own too: Elysia looks in the method's own routes before ANY's, so
  // the admin UI's `GET /*` fallback would otherwise answer GET /proxy/... (model lists).
  return new Elysia({ name: "proxy" })
    .get(PROXY_ROUTE, route, { parse: "none" })
    .all(PROXY_ROUTE, route, { parse: "none" });
}
