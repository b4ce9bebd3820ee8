// Classifies an upstream answer into a KeyEvent: the channel's provider quirks first, then the
// group's status policy. Reads the error body (OpenAI, Anthropic and Google shapes) only for
// non-2xx answers and keeps a short reason with every key secret scrubbed out. Pure.

import type { KeyEvent } from "../pool/types.ts";
import type { ClassifyInput } from "./types.ts";
import { isObject, stringAt } from "./json-fields.ts";
import { parseResetHeaders } from "./rate-limit-headers.ts";

export const REASON_MAX_CHARS = 200;

/**
 * Cooldown of a key whose account is out of credit (OpenAI insufficient_quota, Anthropic low
 * credit balance). A billing problem does not clear in seconds, and the pool's backoff would
 * start at its base and spend an attempt per request on the dead key before it grew; an hour
 * keeps it out while still noticing a top-up the same hour.
 */
export const QUOTA_COOLDOWN_MS = 60 * 60 * 1000;

/** What an error body says, read the same way for every provider's shape. */
export interface ProviderError {
  /** The parsed body; undefined when it was not JSON. */
  body: unknown;
  /** Google ErrorInfo reasons, then error.code, error.type, error.status (strings only). */
  codes: readonly string[];
  message: string;
}

/** A provider's own reading of an answer; undefined lets the status policy decide. */
export type ClassifyQuirk = (input: ClassifyInput, error: ProviderError) => KeyEvent | undefined;

const SUCCESS: KeyEvent = Object.freeze({ kind: "success" });

export function classifyResponse(input: ClassifyInput, quirk?: ClassifyQuirk): KeyEvent {
  const { status, statuses } = input;
  if (status < 400) return SUCCESS;
  const error = readProviderError(input.bodyText);
  const special = quirk?.(input, error);
  if (special !== undefined) return special;
  const reason = errorReason(status, error, input.key);
  if (statuses.invalidKey.includes(status)) return { kind: "invalid", reason };
  if (statuses.rateLimit.includes(status)) {
    return { kind: "rate-limited", reason, resetAt: parseResetHeaders(input.headers, input.now, error.body) };
  }
  if (statuses.retry.includes(status) || status >= 500) return { kind: "upstream-failure", reason };
  return { kind: "client-error", reason };
}

/** The rate-limited event for a key whose account ran out of credit (see QUOTA_COOLDOWN_MS). */
export function quotaExhausted(input: ClassifyInput, error: ProviderError): KeyEvent {
  return { kind: "rate-limited", reason: errorReason(input.status, error, input.key), resetAt: input.now + QUOTA_COOLDOWN_MS };
}

/** The error fields read as codes, in the order ProviderError.codes lists them. */
const CODE_FIELDS: readonly string[] = Object.freeze(["code", "type", "status"]);
const WHITESPACE_RUN = /\s+/g;

export function readProviderError(bodyText: string): ProviderError {
  let body: unknown;
  if (bodyText !== "") {
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
  }
  // Google's streaming and OpenAI-compatible endpoints wrap the error in an array.
  const root = Array.isArray(body) ? body[0] : body;
  const inner = isObject(root) ? root.error : undefined;
  const error = isObject(inner) ? inner : typeof inner === "string" ? { message: inner } : root;
  const codes: string[] = [];
  const details = isObject(error) ? error.details : undefined;
  if (Array.isArray(details)) {
    for (const d of details) {
      const reason = stringAt(d, "reason");
      if (reason !== undefined) codes.push(reason);
    }
  }
  for (const field of CODE_FIELDS) {
    const code = stringAt(error, field);
    if (code !== undefined && code !== "error") codes.push(code);
  }
  let message = stringAt(error, "message");
  if (message === undefined && body === undefined && !bodyText.trimStart().startsWith("<")) message = bodyText;
  return { body, codes, message: message ?? "" };
}

/** "429 rate_limit_exceeded: Rate limit reached ..." with secrets scrubbed, at most REASON_MAX_CHARS. */
export function errorReason(status: number, error: ProviderError, key?: string): string {
  const code = error.codes[0];
  const head = code === undefined ? `${status}` : `${status} ${code}`;
  const text = error.message === "" ? head : `${head}: ${error.message.replace(WHITESPACE_RUN, " ").trim()}`;
  const clean = redactSecrets(text, key);
  return clean.length <= REASON_MAX_CHARS ? clean : `${clean.slice(0, REASON_MAX_CHARS - 1)}…`;
}

// Keys as providers print them: OpenAI/Anthropic "sk-…" (OpenAI echoes a masked key in its 401
// message), Google "AIza…", any run with a mask of asterisks, and long opaque tokens.
const SECRET_PATTERNS: readonly RegExp[] = Object.freeze([
  /\b(?:sk-|AIza)[\w\-*]{4,}/g,
  /[\w-]*\*{3,}[\w-]*/g,
  /(?<![A-Za-z0-9])[A-Za-z0-9]{32,}(?![A-Za-z0-9])/g,
]);

/** Removes the key (when known) and anything shaped like a key from text kept in logs. */
export function redactSecrets(text: string, key?: string): string {
  let out = key !== undefined && key.length >= 4 ? text.split(key).join("***") : text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "***");
  return out;
}

/** True when any code of the error equals one of `wanted` (case-insensitive). */
export function hasCode(error: ProviderError, wanted: readonly string[]): boolean {
  return error.codes.some((c) => wanted.includes(c.toLowerCase()));
}
