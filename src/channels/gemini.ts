// The Gemini channel: native /v1beta and /v1 paths (model in the path, key in x-goog-api-key,
// never in the URL) and the OpenAI-compatible /openai/ paths (delegated to `openaiBase`).
// Owns Gemini's quirks: a bad key answers 400 API_KEY_INVALID, 429 carries RetryInfo. Pure.

import type { KeyEvent } from "../pool/types.ts";
import type { Channel, ClassifyInput, JsonBody, Usage } from "./types.ts";
import { classifyResponse, errorReason, hasCode, type ProviderError } from "./classify-response.ts";
import { isObject, numberAt, objectAt, stringAt } from "./json-fields.ts";
import { rewriteModelListWith, stripModelsPrefix, type ListEntry, type ModelListPlan, type ModelListShape } from "./model-list.ts";
import { chatUsage, OPENAI_MODEL_LIST, openaiBase } from "./openai.ts";
import { setUpstreamAuth } from "./upstream-auth.ts";

export const GEMINI_DEFAULT_TEST_MODEL = "gemini-2.0-flash";

// "/v1beta/models/gemini-2.0-flash:generateContent" -> prefix, model segment, ":method".
const MODEL_PATH = /^(.*?\/v1(?:beta|alpha)?\/models\/)([^/:]+)(:[A-Za-z]+)?\/?$/;

// https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
const ERROR_STATUSES: Readonly<Record<number, string>> = Object.freeze({
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
});

// Native and OpenAI-compatible model lists: /v1beta/models, /v1/models, /v1beta/openai/models.
const MODEL_LIST = /\/v1(?:beta|alpha)?(?:\/openai)?\/models\/?$/;

const INVALID_KEY_CODES: readonly string[] = Object.freeze(["api_key_invalid"]);

function isOpenaiCompat(path: string): boolean {
  return path.includes("/openai/");
}

// A bad or expired key answers 400 INVALID_ARGUMENT with an ErrorInfo reason API_KEY_INVALID and
// "API key not valid. Please pass a valid API key." (https://ai.google.dev/gemini-api/docs/troubleshooting).
function geminiQuirk(input: ClassifyInput, error: ProviderError): KeyEvent | undefined {
  if (input.status !== 400) return undefined;
  if (hasCode(error, INVALID_KEY_CODES) || error.message.includes("API key not valid")) {
    return { kind: "invalid", reason: errorReason(input.status, error, input.key) };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Native list `{models:[{name:"models/<id>", displayName, ...}], nextPageToken}`
 * (https://ai.google.dev/api/models#method:-models.list). An alias is listed as "models/<alias>",
 * which clients strip as they do for every Gemini model.
 */
const GEMINI_MODEL_LIST: ModelListShape = Object.freeze({
  entries: (body: Record<string, unknown>) => (Array.isArray(body.models) ? body.models : undefined),
  idOf: (entry: ListEntry) => {
    const name = stringAt(entry, "name");
    return name === undefined ? undefined : stripModelsPrefix(name);
  },
  aliasEntry: (alias: string, target: ListEntry | undefined): ListEntry =>
    target ? { ...target, name: `models/${alias}`, displayName: alias } : { name: `models/${alias}`, displayName: alias },
  wrap: (first: Record<string, unknown>, entries: ListEntry[]) => ({ ...first, models: entries }),
});

/**
 * The OpenAI-compatible list names models "models/<id>"; an alias is listed exactly as the
 * redirect map spells it, since that is the name a request must carry to be redirected.
 */
const GEMINI_OPENAI_MODEL_LIST: ModelListShape = Object.freeze({
  ...OPENAI_MODEL_LIST,
  idOf: (entry: ListEntry) => {
    const id = stringAt(entry, "id");
    return id === undefined ? undefined : stripModelsPrefix(id);
  },
});

/**
 * usageMetadata (https://ai.google.dev/api/generate-content#UsageMetadata): prompt tokens
 * include cached and tool-use prompt tokens are extra input; thinking tokens are billed as output.
 */
function geminiUsage(meta: Record<string, unknown> | undefined): Usage | undefined {
  const prompt = numberAt(meta, "promptTokenCount");
  if (prompt === undefined) return undefined;
  return {
    inputTokens: prompt + (numberAt(meta, "toolUsePromptTokenCount") ?? 0),
    outputTokens: (numberAt(meta, "candidatesTokenCount") ?? 0) + (numberAt(meta, "thoughtsTokenCount") ?? 0),
    cachedTokens: numberAt(meta, "cachedContentTokenCount") ?? 0,
  };
}

/** One response object, native or OpenAI-compatible shape. */
function responseUsage(body: unknown): Usage | undefined {
  return geminiUsage(objectAt(body, "usageMetadata")) ?? chatUsage(objectAt(body, "usage"));
}

/** Sets body.model / body.requests[].model ("models/x" in embedContent and batchEmbedContents) to `model`. */
function replaceBodyModels(body: JsonBody | undefined, model: string): boolean {
  if (body === undefined) return false;
  const named = `models/${model}`;
  let changed = false;
  if (typeof body.model === "string" && body.model !== named) {
    body.model = named;
    changed = true;
  }
  if (Array.isArray(body.requests)) {
    for (const request of body.requests) {
      if (isObject(request) && typeof request.model === "string" && request.model !== named) {
        request.model = named;
        changed = true;
      }
    }
  }
  return changed;
}

export const gemini: Channel = Object.freeze({
  id: "gemini",
  defaultHeaders: Object.freeze({}),

  // https://ai.google.dev/gemini-api/docs/api-key — x-goog-api-key keeps the key out of URLs and
  // logs; the OpenAI-compatible endpoint wants a Bearer token (https://ai.google.dev/gemini-api/docs/openai).
  injectKey(headers: Headers, key: string, path: string): void {
    if (isOpenaiCompat(path)) openaiBase.injectKey(headers, key);
    else setUpstreamAuth(headers, "x-goog-api-key", key);
  },

  readModel(path: string, body: JsonBody | undefined): string | undefined {
    if (isOpenaiCompat(path)) return openaiBase.readModel(path, body);
    const m = MODEL_PATH.exec(path);
    if (m === null) return undefined;
    const model = stripModelsPrefix(decodeSegment(m[2] as string));
    return model === "" ? undefined : model;
  },

  replaceModel(path: string, body: JsonBody | undefined, model: string): { path: string; bodyChanged: boolean } {
    if (isOpenaiCompat(path)) return openaiBase.replaceModel(path, body, model);
    const m = MODEL_PATH.exec(path);
    if (m === null) return { path, bodyChanged: false };
    const bare = stripModelsPrefix(model);
    return { path: `${m[1]}${encodeURIComponent(bare)}${m[3] ?? ""}`, bodyChanged: replaceBodyModels(body, bare) };
  },

  isStream(path: string, search: URLSearchParams, body: JsonBody | undefined): boolean {
    if (isOpenaiCompat(path)) return openaiBase.isStream(path, search, body);
    return path.endsWith(":streamGenerateContent");
  },

  classify(input: ClassifyInput): KeyEvent {
    return classifyResponse(input, geminiQuirk);
  },

  // A buffered non-SSE streamGenerateContent answer is an array of responses; the last counts.
  usageFromBody(body: unknown): Usage | undefined {
    if (!Array.isArray(body)) return responseUsage(body);
    for (let i = body.length - 1; i >= 0; i--) {
      const usage = responseUsage(body[i]);
      if (usage !== undefined) return usage;
    }
    return undefined;
  },

  // Every chunk of streamGenerateContent?alt=sse may carry usageMetadata, cumulative: the last wins.
  usageFromEvent(data: unknown, running: Usage | undefined): Usage | undefined {
    return responseUsage(data) ?? running;
  },

  mayCarryUsage(data: string): boolean {
    return data.includes('"usageMetadata"') || openaiBase.mayCarryUsage(data);
  },

  errorBody(status: number, message: string): string {
    const code = ERROR_STATUSES[status] ?? (status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
    return JSON.stringify({ error: { code: status, message, status: code } });
  },

  validationProbe(testModel: string) {
    const model = stripModelsPrefix(testModel === "" ? GEMINI_DEFAULT_TEST_MODEL : testModel);
    return {
      method: "POST",
      path: `/v1beta/models/${encodeURIComponent(model)}:generateContent`,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { maxOutputTokens: 1 } }),
    } as const;
  },

  isModelList(path: string): boolean {
    return MODEL_LIST.test(path);
  },

  rewriteModelList(lists: readonly unknown[], plan: ModelListPlan, path: string): Record<string, unknown> | undefined {
    return rewriteModelListWith(isOpenaiCompat(path) ? GEMINI_OPENAI_MODEL_LIST : GEMINI_MODEL_LIST, lists, plan);
  },
});
