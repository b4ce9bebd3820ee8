// The OpenAI channel (and OpenAI-compatible upstreams): Bearer key, model and stream flag in the
// JSON body, usage of chat completions and embeddings. `openaiBase` is the frozen part other
// channels compose by spreading; nothing here may be mutated by them. Pure: no I/O, no clock.

import type { KeyEvent } from "../pool/types.ts";
import type { Channel, ClassifyInput, JsonBody, Usage } from "./types.ts";
import { classifyResponse, hasCode, quotaExhausted, type ProviderError } from "./classify-response.ts";
import { numberAt, objectAt, stringAt } from "./json-fields.ts";
import { rewriteModelListWith, type ListEntry, type ModelListPlan, type ModelListShape } from "./model-list.ts";
import { setUpstreamAuth } from "./upstream-auth.ts";

export const OPENAI_DEFAULT_TEST_MODEL = "gpt-4o-mini";

/**
 * Codes meaning the account is out of credit, not briefly throttled
 * (https://platform.openai.com/docs/guides/error-codes#api-errors): waiting seconds will not help.
 */
const QUOTA_CODES: readonly string[] = Object.freeze(["insufficient_quota", "billing_hard_limit_reached"]);

// https://platform.openai.com/docs/guides/error-codes#api-errors
const ERROR_TYPES: Readonly<Record<number, string>> = Object.freeze({
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
});

const ERROR_CODES: Readonly<Record<number, string>> = Object.freeze({
  401: "invalid_api_key",
  429: "rate_limit_exceeded",
});

function openaiQuirk(input: ClassifyInput, error: ProviderError): KeyEvent | undefined {
  return hasCode(error, QUOTA_CODES) ? quotaExhausted(input, error) : undefined;
}

/** Where an OpenAI-style usage object keeps its counts; the APIs differ only in these names. */
export interface UsageFields {
  input: string;
  output: string;
  /** The object holding `cached_tokens`. */
  details: string;
}

/** Usage read by `fields`; undefined when the input count is missing. */
export function usageWith(fields: UsageFields, usage: Record<string, unknown> | undefined): Usage | undefined {
  const input = numberAt(usage, fields.input);
  if (input === undefined) return undefined;
  return {
    inputTokens: input,
    outputTokens: numberAt(usage, fields.output) ?? 0,
    cachedTokens: numberAt(objectAt(usage, fields.details), "cached_tokens") ?? 0,
  };
}

const CHAT_USAGE: UsageFields = Object.freeze({ input: "prompt_tokens", output: "completion_tokens", details: "prompt_tokens_details" });

/** Chat completions (prompt/completion tokens) and embeddings (prompt tokens only). */
export function chatUsage(usage: Record<string, unknown> | undefined): Usage | undefined {
  return usageWith(CHAT_USAGE, usage);
}

/** `{object:"list", data:[{id, object:"model", created, owned_by}]}` (https://platform.openai.com/docs/api-reference/models/list). */
export const OPENAI_MODEL_LIST: ModelListShape = Object.freeze({
  entries: (body: Record<string, unknown>) => (Array.isArray(body.data) ? body.data : undefined),
  idOf: (entry: ListEntry) => stringAt(entry, "id"),
  aliasEntry: (alias: string, target: ListEntry | undefined): ListEntry =>
    target ? { ...target, id: alias } : { id: alias, object: "model", created: 0, owned_by: "poolgate" },
  wrap: (first: Record<string, unknown>, entries: ListEntry[]) => ({ ...first, data: entries }),
});

/** Everything an OpenAI-style channel shares; `id`, usage and the probe are each channel's own. */
export const openaiBase = Object.freeze({
  defaultHeaders: Object.freeze({}) as Readonly<Record<string, string>>,

  injectKey(headers: Headers, key: string): void {
    setUpstreamAuth(headers, "authorization", `Bearer ${key}`);
  },

  readModel(_path: string, body: JsonBody | undefined): string | undefined {
    const model = body?.model;
    return typeof model === "string" && model !== "" ? model : undefined;
  },

  replaceModel(path: string, body: JsonBody | undefined, model: string): { path: string; bodyChanged: boolean } {
    if (body === undefined || body.model === model) return { path, bodyChanged: false };
    body.model = model;
    return { path, bodyChanged: true };
  },

  isStream(_path: string, _search: URLSearchParams, body: JsonBody | undefined): boolean {
    return body?.stream === true;
  },

  classify(input: ClassifyInput): KeyEvent {
    return classifyResponse(input, openaiQuirk);
  },

  errorBody(status: number, message: string): string {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    return JSON.stringify({ error: { message, type, code: ERROR_CODES[status] ?? null, param: null } });
  },

  isModelList(path: string): boolean {
    return path.endsWith("/models") || path.endsWith("/models/");
  },

  rewriteModelList(lists: readonly unknown[], plan: ModelListPlan): Record<string, unknown> | undefined {
    return rewriteModelListWith(OPENAI_MODEL_LIST, lists, plan);
  },

  // With stream_options.include_usage every chunk has "usage":null and only the last an object
  // (https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options).
  mayCarryUsage(data: string): boolean {
    return data.includes('"usage"') && !data.includes('"usage":null');
  },
});

export const openai: Channel = Object.freeze({
  ...openaiBase,
  id: "openai",

  usageFromBody(body: unknown): Usage | undefined {
    return chatUsage(objectAt(body, "usage"));
  },

  usageFromEvent(data: unknown, running: Usage | undefined): Usage | undefined {
    return chatUsage(objectAt(data, "usage")) ?? running;
  },

  validationProbe(testModel: string) {
    const model = testModel === "" ? OPENAI_DEFAULT_TEST_MODEL : testModel;
    return {
      method: "POST",
      path: "/v1/chat/completions",
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], max_tokens: 1 }),
    } as const;
  },
});
