// Serves the built admin UI: from ui/dist on disk (source runs) or from files embedded in the
// compiled binary (a URL path -> embedded file map made by ui/build.ts). Hashed assets are cached
// for a year, index.html never; unknown client routes get index.html. It never answers for the
// server's own prefixes (/api, /proxy, /metrics, /health, /ready): those get a plain 404.

import { join, normalize } from "node:path";

export type UiAssets =
  | { kind: "directory"; root: string }
  /** URL path ("/assets/index-x.js") -> path of the embedded file (what a `type: "file"` import gives). */
  | { kind: "embedded"; files: ReadonlyMap<string, string> };

export const RESERVED_PREFIXES = ["/api", "/proxy", "/metrics", "/health", "/ready"] as const;

const IMMUTABLE = "public, max-age=31536000, immutable";
const NO_CACHE = "no-cache";
const SHORT = "public, max-age=3600";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  woff: "font/woff",
  txt: "text/plain; charset=utf-8",
  map: "application/json",
};

export function isReservedPath(pathname: string): boolean {
  return RESERVED_PREFIXES.some((p) => pathname === p || pathname.startsWith(p + "/"));
}

/** Vite puts content-hashed files under /assets/; everything else may change between releases. */
export function cacheControlFor(pathname: string): string {
  if (pathname === "/index.html") return NO_CACHE;
  return pathname.startsWith("/assets/") ? IMMUTABLE : SHORT;
}

function contentTypeOf(pathname: string): string {
  const ext = pathname.slice(pathname.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/** The decoded, normalised URL path, or null when it tries to leave the root. */
export function cleanPath(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const path = normalize(decoded);
  if (!path.startsWith("/") || path.split("/").includes("..")) return null;
  return path;
}

/** A path with a file extension asks for a file; one without is a client route of the SPA. */
function looksLikeFile(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf("/") + 1);
  return last.includes(".");
}

function notFound(): Response {
  return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function notBuilt(): Response {
  const text = "The admin UI is not built. Run `bun run build:ui` (or `bun start`, which builds it when missing).";
  return new Response(text, { status: 503, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": NO_CACHE } });
}

/** Looks up the file for a clean URL path: the map for embedded assets, the folder on disk otherwise. */
async function findFile(assets: UiAssets, path: string): Promise<Blob | null> {
  if (assets.kind === "embedded") {
    const file = assets.files.get(path);
    return file === undefined ? null : Bun.file(file);
  }
  if (path.endsWith("/")) return null;
  const file = Bun.file(join(assets.root, path));
  return (await file.exists()) ? file : null;
}

function fileResponse(file: Blob, pathname: string, method: string): Response {
  const headers = { "content-type": contentTypeOf(pathname), "cache-control": cacheControlFor(pathname), "x-content-type-options": "nosniff" };
  return new Response(method === "HEAD" ? null : file, { headers });
}

/** The UI handler: GET/HEAD of any path the server does not own. */
export function createUiHandler(assets: UiAssets): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return notFound();
    const pathname = new URL(request.url).pathname;
    if (isReservedPath(pathname)) return notFound();
    const path = cleanPath(pathname);
    if (path === null) return notFound();
    if (path !== "/" && path !== "/index.html") {
      const file = await findFile(assets, path);
      if (file) return fileResponse(file, path, request.method);
      if (looksLikeFile(path)) return notFound();
    }
    const index = await findFile(assets, "/index.html");
    return index ? fileResponse(index, "/index.html", request.method) : notBuilt();
  };
}
