import { describe, expect, it } from "bun:test";
import { anthropic } from "../../src/channels/anthropic.ts";
import { QUOTA_COOLDOWN_MS } from "../../src/channels/classify-response.ts";
import { classifyInput, fixtureText, NOW, runChannelContract, UPSTREAM_KEY } from "./contract.ts";

const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString().replace(".000Z", "Z");

runChannelContract(anthropic, {
  request: { path: "/v1/messages", body: { model: "claude-sonnet-4-20250514", max_tokens: 1024, messages: [{ role: "user", content: "hi" }] }, model: "claude-sonnet-4-20250514", stream: false },
  streamRequest: { path: "/v1/messages", body: { model: "claude-3-5-haiku-latest", max_tokens: 64, stream: true, messages: [] } },
  auth: { header: "x-api-key", value: (k) => k },
  errors: {
    401: "anthropic/error-401.json",
    403: "anthropic/error-403.json",
    429: "anthropic/error-429.json",
    400: "anthropic/error-400.json",
    server: { status: 529, file: "anthropic/error-529.json" },
  },
  rateLimit: {
    // The input-tokens limit is exhausted; retry-after is a second shorter: the later one wins.
    headers: {
      "retry-after": "41",
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": at(1),
      "anthropic-ratelimit-input-tokens-limit": "50000",
      "anthropic-ratelimit-input-tokens-remaining": "0",
      "anthropic-ratelimit-input-tokens-reset": at(42),
      "anthropic-ratelimit-output-tokens-remaining": "10000",
      "anthropic-ratelimit-output-tokens-reset": at(600),
    },
    file: "anthropic/error-429.json",
    resetAt: NOW + 42_000,
  },
  usageJson: [{ file: "anthropic/message.json", expected: { inputTokens: 21 + 188 + 1500, outputTokens: 12, cachedTokens: 1500 } }],
  usageSse: [{ file: "anthropic/message-stream.sse", expected: { inputTokens: 472 + 2048, outputTokens: 89, cachedTokens: 2048 } }],
  nativeError: {
    read: (p) => {
      const body = p as { type: unknown; error: { type: unknown; message: unknown } };
      expect(body.type).toBe("error");
      return { message: body.error.message, type: body.error.type };
    },
    types: {
      400: "invalid_request_error",
      401: "authentication_error",
      403: "permission_error",
      404: "not_found_error",
      413: "request_too_large",
      429: "rate_limit_error",
      500: "api_error",
      503: "overloaded_error",
      529: "overloaded_error",
    },
  },
  probe: { defaultModel: "claude-3-5-haiku-latest", path: () => "/v1/messages" },
  modelLists: ["/v1/models"],
  notModelLists: ["/v1/messages", "/v1/models/claude-3-5-haiku-latest"],
});

describe("anthropic", () => {
  it("sendsTheKeyAsXApiKeyAndDropsAnyAuthorization", () => {
    const headers = new Headers({ authorization: "Bearer client", "anthropic-version": "2023-01-01" });
    anthropic.injectKey(headers, UPSTREAM_KEY, "/v1/messages");
    expect(headers.get("x-api-key")).toBe(UPSTREAM_KEY);
    expect(headers.has("authorization")).toBe(false);
    expect(headers.get("anthropic-version")).toBe("2023-01-01");
  });

  it("defaultsTheApiVersion", () => {
    expect(anthropic.defaultHeaders).toEqual({ "anthropic-version": "2023-06-01" });
  });

  it("treatsALowCreditBalanceAsQuotaNotAClientError", () => {
    const event = anthropic.classify(classifyInput(400, fixtureText("anthropic/error-400-credit.json")));
    expect(event).toMatchObject({ kind: "rate-limited", resetAt: NOW + QUOTA_COOLDOWN_MS });
  });

  it("keepsTheErrorTypeAndMessageAsReason", () => {
    expect(anthropic.classify(classifyInput(401, fixtureText("anthropic/error-401.json")))).toEqual({ kind: "invalid", reason: "401 authentication_error: invalid x-api-key" });
    expect(anthropic.classify(classifyInput(529, fixtureText("anthropic/error-529.json")))).toEqual({ kind: "upstream-failure", reason: "529 overloaded_error: Overloaded" });
  });

  it("usesTheLatestExhaustedResetWhenSeveralLimitsAreSpent", () => {
    const headers = {
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-requests-reset": at(5),
      "anthropic-ratelimit-tokens-remaining": "0",
      "anthropic-ratelimit-tokens-reset": at(30),
    };
    expect(anthropic.classify(classifyInput(429, "", headers))).toMatchObject({ kind: "rate-limited", resetAt: NOW + 30_000 });
  });

  it("foldsMessageStartAndCumulativeMessageDeltas", () => {
    let u = anthropic.usageFromEvent({ type: "message_start", message: { usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } }, undefined);
    expect(u).toEqual({ inputTokens: 15, outputTokens: 1, cachedTokens: 5 });
    u = anthropic.usageFromEvent({ type: "message_delta", usage: { output_tokens: 7 } }, u);
    u = anthropic.usageFromEvent({ type: "message_delta", usage: { output_tokens: 20 } }, u);
    expect(u).toEqual({ inputTokens: 15, outputTokens: 20, cachedTokens: 5 });
  });

  it("takesInputCountsAMessageDeltaRepeats", () => {
    const start = { inputTokens: 10, outputTokens: 1, cachedTokens: 0 };
    const delta = { type: "message_delta", usage: { input_tokens: 12, cache_creation_input_tokens: 3, cache_read_input_tokens: 4, output_tokens: 9 } };
    expect(anthropic.usageFromEvent(delta, start)).toEqual({ inputTokens: 19, outputTokens: 9, cachedTokens: 4 });
  });

  it("ignoresUsageOutsideMessageStartAndDelta", () => {
    expect(anthropic.usageFromEvent({ type: "content_block_delta", usage: { output_tokens: 99 } }, undefined)).toBeUndefined();
    expect(anthropic.usageFromEvent({ type: "message_delta" }, undefined)).toBeUndefined();
  });

  it("parsesOnlyMessageStartAndDeltaEvents", () => {
    expect(anthropic.mayCarryUsage?.('{"type":"content_block_delta"}', "content_block_delta")).toBe(false);
    expect(anthropic.mayCarryUsage?.('{"type":"ping"}', "ping")).toBe(false);
    expect(anthropic.mayCarryUsage?.("{}", "message_delta")).toBe(true);
    // An unnamed event (a compatible upstream that sends no `event:` lines) is judged by its text.
    expect(anthropic.mayCarryUsage?.('{"type":"message_delta","usage":{}}', "message")).toBe(true);
  });

  it("probesWithOneTokenAndTheGivenModel", () => {
    expect(JSON.parse(anthropic.validationProbe("claude-opus-4-1").body ?? "")).toEqual({ model: "claude-opus-4-1", max_tokens: 1, messages: [{ role: "user", content: "hi" }] });
  });
});
