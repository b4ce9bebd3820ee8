import { describe, expect, it } from "bun:test";
import { QUOTA_COOLDOWN_MS } from "../../src/channels/classify-response.ts";
import { openai, openaiBase } from "../../src/channels/openai.ts";
import { classifyInput, fixtureText, NOW, runChannelContract, UPSTREAM_KEY } from "./contract.ts";

runChannelContract(openai, {
  request: { path: "/v1/chat/completions", body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }, model: "gpt-4o-mini", stream: false },
  streamRequest: { path: "/v1/chat/completions", body: { model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true } } },
  auth: { header: "authorization", value: (k) => `Bearer ${k}` },
  errors: {
    401: "openai/error-401.json",
    403: "openai/error-403.json",
    429: "openai/error-429.json",
    400: "openai/error-400.json",
    server: { status: 500, file: "openai/error-500.json" },
  },
  rateLimit: {
    // The requests limit is the exhausted one: its 120ms wins over the tokens' 6m0s.
    headers: {
      "x-ratelimit-limit-requests": "500",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "120ms",
      "x-ratelimit-limit-tokens": "200000",
      "x-ratelimit-remaining-tokens": "199950",
      "x-ratelimit-reset-tokens": "6m0s",
    },
    file: "openai/error-429.json",
    resetAt: NOW + 120,
  },
  usageJson: [
    { file: "openai/chat-completion.json", expected: { inputTokens: 1117, outputTokens: 46, cachedTokens: 1024 } },
    { file: "openai/embeddings.json", expected: { inputTokens: 8, outputTokens: 0, cachedTokens: 0 } },
  ],
  usageSse: [{ file: "openai/chat-stream.sse", expected: { inputTokens: 2006, outputTokens: 9, cachedTokens: 1920 } }],
  nativeError: {
    read: (p) => ({ message: (p as { error: { message: unknown } }).error.message, type: (p as { error: { type: unknown } }).error.type }),
    types: { 400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error", 413: "invalid_request_error", 429: "rate_limit_error", 500: "api_error", 503: "api_error" },
  },
  probe: { defaultModel: "gpt-4o-mini", path: () => "/v1/chat/completions" },
  modelLists: ["/v1/models", "/models", "/v1/models/"],
  notModelLists: ["/v1/models/gpt-4o", "/v1/chat/completions", "/v1/models-extra"],
});

describe("openai", () => {
  it("treatsInsufficientQuotaAsALongCooldownNotAShortRateLimit", () => {
    const event = openai.classify(classifyInput(429, fixtureText("openai/error-429-quota.json"), { "retry-after": "1" }));
    expect(event.kind).toBe("rate-limited");
    if (event.kind !== "rate-limited") return;
    expect(event.resetAt).toBe(NOW + QUOTA_COOLDOWN_MS);
    expect(event.reason).toStartWith("429 insufficient_quota: You exceeded your current quota");
  });

  it("treatsABillingHardLimitOn400AsQuotaToo", () => {
    const body = JSON.stringify({ error: { message: "Billing hard limit has been reached", type: "invalid_request_error", param: null, code: "billing_hard_limit_reached" } });
    expect(openai.classify(classifyInput(400, body))).toMatchObject({ kind: "rate-limited", resetAt: NOW + QUOTA_COOLDOWN_MS });
  });

  it("keepsTheCodeAndMessageOfA401ButNotTheMaskedKeyOpenAIEchoes", () => {
    const event = openai.classify(classifyInput(401, fixtureText("openai/error-401.json")));
    expect(event.kind).toBe("invalid");
    if (event.kind !== "invalid") return;
    expect(event.reason).toStartWith("401 invalid_api_key: Incorrect API key provided: ***.");
    expect(event.reason).not.toContain("Xq3A");
    expect(event.reason).not.toContain("sk-proj");
  });

  it("usesRetryAfterWhenNoLimitIsExhausted", () => {
    const event = openai.classify(classifyInput(429, fixtureText("openai/error-429.json"), { "retry-after": "20", "x-ratelimit-reset-tokens": "1s", "x-ratelimit-remaining-tokens": "5" }));
    expect(event).toMatchObject({ kind: "rate-limited", resetAt: NOW + 20_000 });
  });

  it("takesTheLatestResetWhenNoneIsMarkedExhausted", () => {
    const event = openai.classify(classifyInput(429, "", { "x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "1m30s" }));
    expect(event).toMatchObject({ kind: "rate-limited", resetAt: NOW + 90_000 });
  });

  it("classifiesNonJsonErrorBodiesByStatus", () => {
    expect(openai.classify(classifyInput(401, "Unauthorized"))).toEqual({ kind: "invalid", reason: "401: Unauthorized" });
    expect(openai.classify(classifyInput(502, "<html><body>502 Bad Gateway</body></html>"))).toEqual({ kind: "upstream-failure", reason: "502" });
    expect(openai.classify(classifyInput(400, ""))).toEqual({ kind: "client-error", reason: "400" });
  });

  it("readsAStringErrorOfCompatibleUpstreams", () => {
    expect(openai.classify(classifyInput(401, JSON.stringify({ error: "Invalid token" })))).toEqual({ kind: "invalid", reason: "401: Invalid token" });
  });

  it("replacesAnyClientBearerWithTheUpstreamKey", () => {
    const headers = new Headers({ Authorization: "Bearer client" });
    openai.injectKey(headers, UPSTREAM_KEY, "/v1/embeddings");
    expect(headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it("readsNoModelFromAMissingOrNonStringField", () => {
    expect(openai.readModel("/v1/chat/completions", undefined)).toBeUndefined();
    expect(openai.readModel("/v1/chat/completions", { model: 4 })).toBeUndefined();
    expect(openai.readModel("/v1/chat/completions", { model: "" })).toBeUndefined();
  });

  it("leavesAMissingBodyAloneWhenReplacingTheModel", () => {
    expect(openai.replaceModel("/v1/models", undefined, "x")).toEqual({ path: "/v1/models", bodyChanged: false });
    const body = { messages: [] } as Record<string, unknown>;
    expect(openai.replaceModel("/v1/chat/completions", body, "gpt-4.1")).toEqual({ path: "/v1/chat/completions", bodyChanged: true });
    expect(body.model).toBe("gpt-4.1");
  });

  it("streamsOnlyWhenStreamIsTrue", () => {
    const q = new URLSearchParams();
    expect(openai.isStream("/v1/chat/completions", q, { stream: "true" })).toBe(false);
    expect(openai.isStream("/v1/chat/completions", q, undefined)).toBe(false);
    expect(openai.isStream("/v1/chat/completions", q, { stream: true })).toBe(true);
  });

  it("sendsMaxTokensOneInItsProbe", () => {
    expect(JSON.parse(openai.validationProbe("gpt-4.1-nano").body ?? "")).toEqual({ model: "gpt-4.1-nano", messages: [{ role: "user", content: "hi" }], max_tokens: 1 });
  });

  it("givesCodesOnlyWhereOpenAIHasThem", () => {
    expect(JSON.parse(openai.errorBody(401, "bad key"))).toEqual({ error: { message: "bad key", type: "authentication_error", code: "invalid_api_key", param: null } });
    expect(JSON.parse(openai.errorBody(404, "no group")).error.code).toBeNull();
  });

  it("skipsStreamChunksWithNullUsageBeforeParsing", () => {
    expect(openai.mayCarryUsage?.('{"choices":[{"delta":{"content":"a"}}],"usage":null}', "message")).toBe(false);
    expect(openai.mayCarryUsage?.('{"choices":[{"delta":{"content":"a"}}]}', "message")).toBe(false);
    expect(openai.mayCarryUsage?.('{"choices":[],"usage":{"prompt_tokens":1}}', "message")).toBe(true);
  });

  it("exposesAFrozenBaseThatOtherChannelsCannotChange", () => {
    expect(Object.isFrozen(openaiBase)).toBe(true);
    expect(() => {
      (openaiBase as { isModelList: unknown }).isModelList = () => true;
    }).toThrow();
  });
});
