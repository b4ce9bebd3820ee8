// The Anthropic Messages channel: `x-api-key` auth, anthropic-version default, model and stream
// flag in the body, usage from messages and from message_start/message_delta stream events.
// It must not drop the client's anthropic-version/anthropic-beta headers. Pure: no I/O, no clock.

import type { KeyEvent } from "../pool/types.ts";
import type { Channel, ClassifyInput, Usage } from "./types.ts";
import { classifyResponse, quotaExhausted, type ProviderError } from "./classify-response.ts";
import { numberAt, objectAt, stringAt } from "./json-fields.ts";
import { rewriteModelListWith, type ListEntry, type ModelListPlan, type ModelListShape } from "./model-list.ts";
import { openaiBase } from "./openai.ts";
import { setUpstreamAuth } from "./upstream-auth.ts";

export const ANTHROPIC_DEFAULT_TEST_MODEL = "claude-3-5-haiku-latest";

// https://docs.anthropic.com/en/api/errors#http-errors
const ERROR_TYPES: Readonly<Record<number, string>> = Object.freeze({
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "overloaded_error",
  529: "overloaded_error",
});

// An account out of prepaid credit answers 400 invalid_request_error "Your credit balance is too
// low to access the Anthropic API" (https://docs.anthropic.com/en/api/errors): the key's fault,
// not the request's, so it is treated like OpenAI's insufficient_quota.
const LOW_CREDIT = /credit balance is too low/i;

function anthropicQuirk(input: ClassifyInput, error: ProviderError): KeyEvent | undefined {
  return input.status === 400 && LOW_CREDIT.test(error.message) ? quotaExhausted(input, error) : undefined;
}

/**
 * Anthropic's input_tokens leaves out cache reads and cache writes
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance);
 * they are added so inputTokens means "all input processed" as for the other providers, with
 * cachedTokens = cache reads. Cache writes count as plain input (they are billed as input, at a premium).
 */
function messageUsage(usage: Record<string, unknown> | undefined, running: Usage | undefined): Usage | undefined {
  if (usage === undefined) return running;
  const plain = numberAt(usage, "input_tokens");
  const written = numberAt(usage, "cache_creation_input_tokens");
  const read = numberAt(usage, "cache_read_input_tokens");
  const output = numberAt(usage, "output_tokens");
  const hasInput = plain !== undefined || written !== undefined || read !== undefined;
  if (!hasInput && output === undefined) return running;
  return {
    inputTokens: hasInput ? (plain ?? 0) + (written ?? 0) + (read ?? 0) : (running?.inputTokens ?? 0),
    outputTokens: output ?? running?.outputTokens ?? 0,
    cachedTokens: hasInput ? (read ?? 0) : (running?.cachedTokens ?? 0),
  };
}

/**
 * `{data:[{id, type:"model", display_name, created_at}], has_more, first_id, last_id}`
 * (https://docs.anthropic.com/en/api/models-list); first_id/last_id follow the rewritten data.
 */
const ANTHROPIC_MODEL_LIST: ModelListShape = Object.freeze({
  entries: (body: Record<string, unknown>) => (Array.isArray(body.data) ? body.data : undefined),
  idOf: (entry: ListEntry) => stringAt(entry, "id"),
  aliasEntry: (alias: string, target: ListEntry | undefined): ListEntry =>
    target
      ? { ...target, id: alias, display_name: alias }
      : { type: "model", id: alias, display_name: alias, created_at: "1970-01-01T00:00:00Z" },
  wrap: (first: Record<string, unknown>, entries: ListEntry[]) => ({
    ...first,
    data: entries,
    first_id: entries.length ? (entries[0]!.id ?? null) : null,
    last_id: entries.length ? (entries[entries.length - 1]!.id ?? null) : null,
  }),
});

export const anthropic: Channel = Object.freeze({
  id: "anthropic",
  // https://docs.anthropic.com/en/api/versioning — applied only when the client sent none.
  defaultHeaders: Object.freeze({ "anthropic-version": "2023-06-01" }),

  injectKey(headers: Headers, key: string): void {
    setUpstreamAuth(headers, "x-api-key", key);
  },

  readModel: openaiBase.readModel,
  replaceModel: openaiBase.replaceModel,
  isStream: openaiBase.isStream,
  isModelList: openaiBase.isModelList,

  rewriteModelList(lists: readonly unknown[], plan: ModelListPlan): Record<string, unknown> | undefined {
    return rewriteModelListWith(ANTHROPIC_MODEL_LIST, lists, plan);
  },

  classify(input: ClassifyInput): KeyEvent {
    return classifyResponse(input, anthropicQuirk);
  },

  usageFromBody(body: unknown): Usage | undefined {
    return messageUsage(objectAt(body, "usage"), undefined);
  },

  // message_start carries message.usage (input, first output count); each message_delta carries
  // the cumulative output_tokens and, on newer API versions, the input counts again
  // (https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types).
  usageFromEvent(data: unknown, running: Usage | undefined): Usage | undefined {
    const type = stringAt(data, "type");
    if (type === "message_start") return messageUsage(objectAt(objectAt(data, "message"), "usage"), running);
    if (type === "message_delta") return messageUsage(objectAt(data, "usage"), running);
    return running;
  },

  mayCarryUsage(data: string, event: string): boolean {
    if (event === "message_start" || event === "message_delta") return true;
    return event === "message" && data.includes('"usage"');
  },

  errorBody(status: number, message: string): string {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    return JSON.stringify({ type: "error", error: { type, message } });
  },

  validationProbe(testModel: string) {
    const model = testModel === "" ? ANTHROPIC_DEFAULT_TEST_MODEL : testModel;
    return {
      method: "POST",
      path: "/v1/messages",
      body: JSON.stringify({ model, max_tokens: 1, messages: [{ role: "user", content: "hi" }] }),
    } as const;
  },
});
