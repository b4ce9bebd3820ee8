// The client's body, read once: parsed as JSON lazily and at most once, and re-encoded only when
// a group rule changes it (model_redirect, param_overrides). Multipart and other bodies pass
// through untouched. Rules work on a shallow copy, so aggregate members never see each other's edits.

import type { Channel, JsonBody } from "../channels/types.ts";

/** JSON bodies up to this size are parsed even when nothing changes them, to log the model. */
export const PARSE_FOR_LOG_MAX_BYTES = 1024 * 1024;

const decoder = new TextDecoder();

export interface RequestBody {
  readonly bytes: Uint8Array | null;
  readonly isJson: boolean;
  /** The parsed body (cached); undefined when it is not a JSON object. */
  json(): JsonBody | undefined;
}

export function createRequestBody(bytes: Uint8Array | null, contentType: string | null): RequestBody {
  const isJson = bytes !== null && bytes.byteLength !== 0 && (contentType === null || contentType.includes("json"));
  let parsed: JsonBody | undefined;
  let done = false;
  return {
    bytes,
    isJson,
    json() {
      if (done) return parsed;
      done = true;
      if (!isJson) return undefined;
      try {
        const value: unknown = JSON.parse(decoder.decode(bytes!));
        if (value !== null && typeof value === "object" && !Array.isArray(value)) parsed = value as JsonBody;
      } catch {
        parsed = undefined;
      }
      return parsed;
    },
  };
}

export interface BodyRules {
  modelRedirect: Readonly<Record<string, string>>;
  modelRedirectStrict: boolean;
  paramOverrides: Readonly<Record<string, unknown>>;
}

export type PreparedRequest =
  | { kind: "ok"; path: string; body: Uint8Array | string | null; model: string | null; upstreamModel: string | null }
  | { kind: "unknown-model"; model: string };

/** True when the record has at least one key (without building an Object.keys array per request). */
export function hasEntries(o: Readonly<Record<string, unknown>>): boolean {
  for (const _ in o) return true;
  return false;
}

/** Applies a group's redirect and overrides to the request it will send upstream. */
export function prepareRequest(channel: Channel, nativePath: string, body: RequestBody, rules: BodyRules): PreparedRequest {
  const redirects = hasEntries(rules.modelRedirect);
  const overrides = hasEntries(rules.paramOverrides);
  const wantJson = body.isJson && (redirects || overrides || body.bytes!.byteLength <= PARSE_FOR_LOG_MAX_BYTES);
  const original = wantJson ? body.json() : undefined;
  const model = channel.readModel(nativePath, original) ?? null;
  if (!redirects && !(overrides && original)) {
    return { kind: "ok", path: nativePath, body: body.bytes, model, upstreamModel: model };
  }
  let path = nativePath;
  let changed = false;
  let upstreamModel = model;
  const copy = original ? { ...original } : undefined;
  if (redirects && model !== null) {
    const target = rules.modelRedirect[model];
    if (target !== undefined) {
      const r = channel.replaceModel(nativePath, copy, target);
      path = r.path;
      changed = r.bodyChanged;
      upstreamModel = target;
    } else if (rules.modelRedirectStrict) {
      return { kind: "unknown-model", model };
    }
  }
  if (overrides && copy) {
    Object.assign(copy, rules.paramOverrides);
    changed = true;
  }
  return { kind: "ok", path, body: changed ? JSON.stringify(copy) : body.bytes, model, upstreamModel };
}
