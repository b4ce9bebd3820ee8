// Turns a rate-limited answer's reset hints (Retry-After, OpenAI x-ratelimit-reset-*, Anthropic
// anthropic-ratelimit-*-reset, Gemini google.rpc.RetryInfo) into one absolute epoch-ms reset time.
// Pure: the caller passes `now`; nothing here reads a clock or does I/O.

import { isObject, objectAt } from "./json-fields.ts";

/** A reset further away than this is taken for a provider bug and ignored. */
export const MAX_RESET_MS = 24 * 60 * 60 * 1000;

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
});

const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/**
 * Milliseconds in a Go-style duration ("1s", "6m0s", "1h2m3.5s", "20ms") as OpenAI sends in
 * x-ratelimit-reset-* (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers),
 * or a protobuf Duration ("30s", "1.5s"). A bare number is read as seconds. undefined when unreadable.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === "") return undefined;
  if (PLAIN_NUMBER.test(s)) return Number(s) * 1000;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    DURATION_PART.lastIndex = at;
    const m = DURATION_PART.exec(s);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = DURATION_PART.lastIndex;
  }
  return total;
}

/** Retry-After as delta seconds or HTTP-date (RFC 9110 §10.2.3) -> epoch ms; undefined when unreadable. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const s = value.trim();
  return PLAIN_NUMBER.test(s) ? now + Number(s) * 1000 : parseTimestamp(s);
}

/**
 * The delay of a google.rpc.RetryInfo detail in a Google error body (plain or array-wrapped),
 * in ms (https://ai.google.dev/gemini-api/docs/rate-limits); undefined when absent.
 */
export function retryInfoDelay(body: unknown): number | undefined {
  const details = objectAt(Array.isArray(body) ? body[0] : body, "error")?.details;
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (!isObject(d) || d["@type"] !== "type.googleapis.com/google.rpc.RetryInfo") continue;
    if (typeof d.retryDelay === "string") return parseDuration(d.retryDelay);
  }
  return undefined;
}

/** Per-limit header pairs: when a limit's `remaining` is 0, its reset is the one that matters. */
interface LimitHeaders {
  remaining: string;
  reset: string;
  /** How the reset is spelled: a duration from now (OpenAI) or an RFC 3339 time (Anthropic). */
  form: "duration" | "timestamp";
}

const LIMITS: readonly LimitHeaders[] = Object.freeze([
  // https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
  { remaining: "x-ratelimit-remaining-requests", reset: "x-ratelimit-reset-requests", form: "duration" },
  { remaining: "x-ratelimit-remaining-tokens", reset: "x-ratelimit-reset-tokens", form: "duration" },
  // https://docs.anthropic.com/en/api/rate-limits#response-headers
  { remaining: "anthropic-ratelimit-requests-remaining", reset: "anthropic-ratelimit-requests-reset", form: "timestamp" },
  { remaining: "anthropic-ratelimit-tokens-remaining", reset: "anthropic-ratelimit-tokens-reset", form: "timestamp" },
  { remaining: "anthropic-ratelimit-input-tokens-remaining", reset: "anthropic-ratelimit-input-tokens-reset", form: "timestamp" },
  { remaining: "anthropic-ratelimit-output-tokens-remaining", reset: "anthropic-ratelimit-output-tokens-reset", form: "timestamp" },
] as const);

/**
 * When a rate-limited key may be used again (epoch ms), or null when the answer names no usable
 * reset (the pool then backs off). Rule: the hints the provider aimed at this refusal — resets of
 * limits whose `remaining` is 0, Retry-After / retry-after-ms, Gemini RetryInfo — win over the
 * resets of limits that are not exhausted; among the winners the latest is taken (conservative).
 * Values in the past or more than MAX_RESET_MS away are ignored.
 */
export function parseResetHeaders(headers: Headers, now: number, errorBody?: unknown): number | null {
  let aimed = -1;
  let other = -1;
  const usable = (at: number | undefined): at is number => at !== undefined && Number.isFinite(at) && at > now && at - now <= MAX_RESET_MS;

  for (const limit of LIMITS) {
    const raw = headers.get(limit.reset);
    if (raw === null) continue;
    const at = limit.form === "duration" ? plus(now, parseDuration(raw)) : parseTimestamp(raw);
    if (!usable(at)) continue;
    const remaining = headers.get(limit.remaining)?.trim();
    if (remaining !== undefined && remaining !== "" && Number(remaining) === 0) aimed = Math.max(aimed, at);
    else other = Math.max(other, at);
  }

  // retry-after-ms is what the OpenAI and Anthropic SDKs read first; it is finer than Retry-After.
  const retryAfterMs = headers.get("retry-after-ms");
  const afterMs = retryAfterMs === null || !PLAIN_NUMBER.test(retryAfterMs.trim()) ? undefined : now + Number(retryAfterMs.trim());
  if (usable(afterMs)) aimed = Math.max(aimed, afterMs);
  const retryAfter = headers.get("retry-after");
  const after = retryAfter === null ? undefined : parseRetryAfter(retryAfter, now);
  if (usable(after)) aimed = Math.max(aimed, after);
  const info = errorBody === undefined ? undefined : plus(now, retryInfoDelay(errorBody));
  if (usable(info)) aimed = Math.max(aimed, info);

  if (aimed >= 0) return aimed;
  return other >= 0 ? other : null;
}

function plus(now: number, ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : now + ms;
}

function parseTimestamp(text: string): number | undefined {
  const at = Date.parse(text.trim());
  return Number.isNaN(at) ? undefined : at;
}
