import { describe, expect, it } from "bun:test";
import { gemini } from "../../src/channels/gemini.ts";
import { classifyInput, fixtureText, NOW, runChannelContract, UPSTREAM_KEY } from "./contract.ts";

runChannelContract(gemini, {
  request: {
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    body: { contents: [{ role: "user", parts: [{ text: "hi" }] }] },
    model: "gemini-2.5-flash",
    stream: false,
  },
  streamRequest: { path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent", search: "alt=sse", body: { contents: [] } },
  auth: { header: "x-goog-api-key", value: (k) => k },
  errors: {
    401: "gemini/error-401.json",
    403: "gemini/error-403.json",
    429: "gemini/error-429-no-retry.json",
    400: "gemini/error-400.json",
    server: { status: 503, file: "gemini/error-503.json" },
  },
  // Gemini names no reset in headers; the 429 body's google.rpc.RetryInfo says 37s.
  rateLimit: { headers: {}, file: "gemini/error-429.json", resetAt: NOW + 37_000 },
  usageJson: [{ file: "gemini/generate-content.json", expected: { inputTokens: 8, outputTokens: 19 + 976, cachedTokens: 4 } }],
  usageSse: [{ file: "gemini/stream-generate-content.sse", expected: { inputTokens: 12, outputTokens: 31 + 412, cachedTokens: 0 } }],
  nativeError: {
    read: (p) => {
      const { error } = p as { error: { code: unknown; message: unknown; status: unknown } };
      expect(typeof error.code).toBe("number");
      return { message: error.message, type: error.status };
    },
    types: {
      400: "INVALID_ARGUMENT",
      401: "UNAUTHENTICATED",
      403: "PERMISSION_DENIED",
      404: "NOT_FOUND",
      413: "INVALID_ARGUMENT",
      429: "RESOURCE_EXHAUSTED",
      500: "INTERNAL",
      503: "UNAVAILABLE",
    },
  },
  probe: { defaultModel: "gemini-2.0-flash", path: (m) => `/v1beta/models/${m}:generateContent` },
  modelLists: ["/v1beta/models", "/v1/models", "/v1beta/openai/models", "/v1beta/models/"],
  notModelLists: ["/v1beta/models/gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:generateContent", "/v1beta/cachedContents"],
});

const q = new URLSearchParams();

describe("gemini", () => {
  it("marksAKeyInvalidOn400ApiKeyInvalid", () => {
    expect(gemini.classify(classifyInput(400, fixtureText("gemini/error-400-api-key-invalid.json")))).toEqual({
      kind: "invalid",
      reason: "400 API_KEY_INVALID: API key not valid. Please pass a valid API key.",
    });
  });

  it("marksAKeyInvalidWhenTheOpenAICompatibleEndpointWrapsTheErrorInAnArray", () => {
    expect(gemini.classify(classifyInput(400, fixtureText("gemini/openai-compat-error-400-api-key-invalid.json"))).kind).toBe("invalid");
  });

  it("marksAKeyInvalidFromTheMessageAloneWhenNoReasonIsGiven", () => {
    const body = JSON.stringify({ error: { code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT" } });
    expect(gemini.classify(classifyInput(400, body)).kind).toBe("invalid");
  });

  it("keepsOther400sAsClientErrors", () => {
    const body = JSON.stringify({ error: { code: 400, message: "User location is not supported for the API use.", status: "FAILED_PRECONDITION" } });
    expect(gemini.classify(classifyInput(400, body))).toEqual({ kind: "client-error", reason: "400 FAILED_PRECONDITION: User location is not supported for the API use." });
  });

  it("readsRetryInfoFromAnArrayWrappedError", () => {
    const body = `[${fixtureText("gemini/error-429.json")}]`;
    expect(gemini.classify(classifyInput(429, body))).toMatchObject({ kind: "rate-limited", resetAt: NOW + 37_000 });
  });

  it("readsTheModelFromThePathOfEveryNativeMethod", () => {
    for (const method of ["generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents"]) {
      expect(gemini.readModel(`/v1beta/models/gemini-2.0-flash:${method}`, undefined)).toBe("gemini-2.0-flash");
      expect(gemini.readModel(`/v1/models/text-embedding-004:${method}`, {})).toBe("text-embedding-004");
    }
    expect(gemini.readModel("/v1beta/models/gemini-2.0-flash", undefined)).toBe("gemini-2.0-flash");
    expect(gemini.readModel("/v1beta/models", undefined)).toBeUndefined();
    expect(gemini.readModel("/v1beta/models/models%2Fgemini-pro:generateContent", undefined)).toBe("gemini-pro");
  });

  it("rewritesThePathSegmentSafely", () => {
    const r = gemini.replaceModel("/v1beta/models/gemini-1.5-pro:streamGenerateContent", undefined, "evil/../x:y?z");
    expect(r).toEqual({ path: "/v1beta/models/evil%2F..%2Fx%3Ay%3Fz:streamGenerateContent", bodyChanged: false });
    expect(gemini.readModel(r.path, undefined)).toBe("evil/../x:y?z");
    expect(gemini.replaceModel("/v1beta/models/a:countTokens", undefined, "models/gemini-2.5-pro").path).toBe("/v1beta/models/gemini-2.5-pro:countTokens");
    expect(gemini.replaceModel("/v1beta/cachedContents", {}, "x")).toEqual({ path: "/v1beta/cachedContents", bodyChanged: false });
  });

  it("keepsTheModelsNamedInEmbeddingBodiesInStepWithThePath", () => {
    const single: Record<string, unknown> = { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] } };
    expect(gemini.replaceModel("/v1beta/models/text-embedding-004:embedContent", single, "gemini-embedding-001")).toEqual({
      path: "/v1beta/models/gemini-embedding-001:embedContent",
      bodyChanged: true,
    });
    expect(single.model).toBe("models/gemini-embedding-001");
    const batch = { requests: [{ model: "models/text-embedding-004" }, { model: "models/text-embedding-004" }] };
    expect(gemini.replaceModel("/v1beta/models/text-embedding-004:batchEmbedContents", batch, "gemini-embedding-001").bodyChanged).toBe(true);
    expect(batch.requests.map((r) => r.model)).toEqual(["models/gemini-embedding-001", "models/gemini-embedding-001"]);
  });

  it("streamsOnlyForStreamGenerateContent", () => {
    expect(gemini.isStream("/v1beta/models/g:streamGenerateContent", new URLSearchParams("alt=sse"), undefined)).toBe(true);
    expect(gemini.isStream("/v1/models/g:streamGenerateContent", q, undefined)).toBe(true);
    expect(gemini.isStream("/v1beta/models/g:generateContent", q, { stream: true })).toBe(false);
    expect(gemini.isStream("/v1beta/models/g:countTokens", q, undefined)).toBe(false);
  });

  it("neverPutsTheKeyInTheUrlAndDropsOtherCredentials", () => {
    const headers = new Headers({ authorization: "Bearer client", "x-goog-api-key": "client" });
    gemini.injectKey(headers, UPSTREAM_KEY, "/v1beta/models/g:generateContent");
    expect(headers.get("x-goog-api-key")).toBe(UPSTREAM_KEY);
    expect(headers.has("authorization")).toBe(false);
  });

  it("speaksOpenAIOnTheCompatiblePaths", () => {
    const path = "/v1beta/openai/chat/completions";
    const headers = new Headers({ "x-goog-api-key": "client" });
    gemini.injectKey(headers, UPSTREAM_KEY, path);
    expect(headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(headers.has("x-goog-api-key")).toBe(false);
    const body: Record<string, unknown> = { model: "gemini-2.0-flash", stream: true };
    expect(gemini.readModel(path, body)).toBe("gemini-2.0-flash");
    expect(gemini.isStream(path, q, body)).toBe(true);
    expect(gemini.replaceModel(path, body, "gemini-2.5-flash")).toEqual({ path, bodyChanged: true });
    expect(body.model).toBe("gemini-2.5-flash");
  });

  it("readsOpenAIShapedUsageFromTheCompatibleEndpoint", () => {
    expect(gemini.usageFromBody(JSON.parse(fixtureText("openai/chat-completion.json")))).toEqual({ inputTokens: 1117, outputTokens: 46, cachedTokens: 1024 });
    expect(gemini.usageFromEvent({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }, undefined)).toEqual({ inputTokens: 5, outputTokens: 2, cachedTokens: 0 });
  });

  it("takesTheLastUsageOfABufferedJsonArrayStream", () => {
    const chunks = [{ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 } }, { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 9 } }, { candidates: [] }];
    expect(gemini.usageFromBody(chunks)).toEqual({ inputTokens: 3, outputTokens: 9, cachedTokens: 0 });
    expect(gemini.usageFromBody([])).toBeUndefined();
  });

  it("countsToolUsePromptTokensAsInput", () => {
    expect(gemini.usageFromBody({ usageMetadata: { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 2 } })).toEqual({ inputTokens: 15, outputTokens: 2, cachedTokens: 0 });
  });

  it("letsALaterChunkReplaceTheRunningUsage", () => {
    const running = { inputTokens: 12, outputTokens: 7, cachedTokens: 0 };
    expect(gemini.usageFromEvent({ usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 20 } }, running)).toEqual({ inputTokens: 12, outputTokens: 20, cachedTokens: 0 });
    expect(gemini.usageFromEvent({ candidates: [] }, running)).toBe(running);
  });

  it("probesWithOneOutputTokenAndAnEncodedModel", () => {
    const probe = gemini.validationProbe("models/gemini-2.5-flash-lite");
    expect(probe.path).toBe("/v1beta/models/gemini-2.5-flash-lite:generateContent");
    expect(JSON.parse(probe.body ?? "")).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { maxOutputTokens: 1 } });
  });

  it("answersWithTheHttpStatusAsCode", () => {
    expect(JSON.parse(gemini.errorBody(429, "slow down"))).toEqual({ error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } });
  });
});
