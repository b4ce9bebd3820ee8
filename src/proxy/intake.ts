// Request intake: where the client put its access key (GPT-Load compatible: Bearer, x-api-key,
// x-goog-api-key, ?key=), whether that key may use the group, the native path and query to
// forward, and the body read once under a size cap. No I/O beyond reading the request itself.

import { readCapped } from "./forward.ts";

/** An access key as the proxy sees it (app.ts builds these from the store; only a hash is stored). */
export interface AccessKeyInfo {
  id: number;
  name: string;
  /** Empty = every group. */
  groupIds: readonly number[];
  enabled: boolean;
  expiresAt: number | null;
  rpmLimit: number | null;
}

/** The access key the client sent, from the first place that holds one. */
export function readClientKey(headers: Headers, search: string): string | undefined {
  const auth = headers.get("authorization");
  if (auth !== null) {
    const m = /^bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const apiKey = headers.get("x-api-key") ?? headers.get("x-goog-api-key");
  if (apiKey !== null && apiKey !== "") return apiKey.trim();
  if (search.includes("key=")) {
    const key = new URLSearchParams(search).get("key");
    if (key) return key;
  }
  return undefined;
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; message: string };

export const MISSING_KEY_MESSAGE =
  "missing access key: send a poolgate access key as 'Authorization: Bearer <key>', 'x-api-key', 'x-goog-api-key' or '?key='";

const ALLOWED: AccessDecision = Object.freeze({ ok: true });

export function checkAccess(info: AccessKeyInfo | undefined, group: { id: number; name: string }, now: number): AccessDecision {
  if (info === undefined) return { ok: false, status: 401, message: "invalid access key: it is not a poolgate access key; create one under Access keys" };
  if (!info.enabled) return { ok: false, status: 401, message: `access key "${info.name}" is disabled; enable it under Access keys` };
  if (info.expiresAt !== null && info.expiresAt <= now) {
    return { ok: false, status: 401, message: `access key "${info.name}" has expired; extend it or create a new one under Access keys` };
  }
  if (info.groupIds.length !== 0 && !info.groupIds.includes(group.id)) {
    return { ok: false, status: 403, message: `access key "${info.name}" may not use group "${group.name}"; add the group to the key under Access keys` };
  }
  return ALLOWED;
}

/**
 * Splits `http://host/proxy/<group>/v1/x?y` into the native path (`/v1/x`) and the raw query
 * (`?y`, or ""), with plain string scans (no URL object on the hot path).
 */
export function splitProxyUrl(url: string, groupName: string): { nativePath: string; search: string } {
  const marker = `/proxy/${groupName}`;
  const start = url.indexOf(marker, url.indexOf("//") + 2) + marker.length;
  const q = url.indexOf("?", start);
  const path = q === -1 ? url.slice(start) : url.slice(start, q);
  return { nativePath: path === "" ? "/" : path, search: q === -1 ? "" : url.slice(q) };
}

/** The query to forward: `key` (a client credential) removed, everything else byte-identical. */
export function forwardQuery(search: string): string {
  if (!search.includes("key=")) return search;
  const params = new URLSearchParams(search);
  if (!params.has("key")) return search;
  params.delete("key");
  const rest = params.toString();
  return rest === "" ? "" : `?${rest}`;
}

export type BodyResult = { kind: "ok"; bytes: Uint8Array | null } | { kind: "too-large"; limit: number };

/**
 * Reads the whole body once. A declared content-length over the cap is refused before reading;
 * a chunked body is counted while it arrives and refused as soon as it passes the cap.
 */
export async function readBody(request: Request, cap: number): Promise<BodyResult> {
  if (request.body === null) return { kind: "ok", bytes: null };
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    const n = Number(declared);
    if (n > cap) return { kind: "too-large", limit: cap };
    if (Number.isFinite(n)) {
      const bytes = await request.bytes();
      return bytes.byteLength > cap ? { kind: "too-large", limit: cap } : { kind: "ok", bytes };
    }
  }
  // One byte past the cap is enough to know the body is too large; the rest is cancelled unread.
  const read = await readCapped(request.body, cap + 1);
  return read.truncated ? { kind: "too-large", limit: cap } : { kind: "ok", bytes: read.bytes };
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
