import { describe, expect, it } from "bun:test";
import { openai, openaiBase } from "../../src/channels/openai.ts";
import { openaiResponses } from "../../src/channels/openai-responses.ts";
import { fixtureText, NOW, runChannelContract } from "./contract.ts";

// The Responses API answers errors exactly like chat completions, so openai's recordings serve.
runChannelContract(openaiResponses, {
  request: { path: "/v1/responses", body: { model: "gpt-5-codex", input: "hi", store: false }, model: "gpt-5-codex", stream: false },
  streamRequest: { path: "/v1/responses", body: { model: "gpt-5-codex", input: "hi", stream: true } },
  auth: { header: "authorization", value: (k) => `Bearer ${k}` },
  errors: {
    401: "openai/error-401.json",
    403: "openai/error-403.json",
    429: "openai/error-429.json",
    400: "openai/error-400.json",
    server: { status: 500, file: "openai/error-500.json" },
  },
  rateLimit: {
    headers: { "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m2.5s", "x-ratelimit-remaining-requests": "12", "x-ratelimit-reset-requests": "8.64s" },
    file: "openai/error-429.json",
    resetAt: NOW + 62_500,
  },
  usageJson: [
    { file: "openai-responses/response.json", expected: { inputTokens: 36, outputTokens: 87, cachedTokens: 0 } },
    { file: "openai/chat-completion.json", expected: { inputTokens: 1117, outputTokens: 46, cachedTokens: 1024 } },
  ],
  usageSse: [
    { file: "openai-responses/response-stream.sse", expected: { inputTokens: 4312, outputTokens: 212, cachedTokens: 4096 } },
    { file: "openai/chat-stream.sse", expected: { inputTokens: 2006, outputTokens: 9, cachedTokens: 1920 } },
  ],
  nativeError: {
    read: (p) => ({ message: (p as { error: { message: unknown } }).error.message, type: (p as { error: { type: unknown } }).error.type }),
    types: { 401: "authentication_error", 429: "rate_limit_error", 503: "api_error" },
  },
  probe: { defaultModel: "gpt-4o-mini", path: () => "/v1/responses" },
  modelLists: ["/v1/models"],
  notModelLists: ["/v1/responses", "/v1/responses/resp_123"],
});

describe("openai-responses", () => {
  it("sharesOpenaisBaseWithoutChangingOpenai", () => {
    expect(openaiResponses.classify).toBe(openaiBase.classify);
    expect(openaiResponses.injectKey).toBe(openaiBase.injectKey);
    expect(openai.id).toBe("openai");
    expect(openai.usageFromBody).not.toBe(openaiResponses.usageFromBody);
  });

  it("readsUsageFromAnIncompleteOrFailedResponseEventToo", () => {
    const usage = { input_tokens: 10, output_tokens: 3, input_tokens_details: { cached_tokens: 2 } };
    for (const type of ["response.incomplete", "response.failed"]) {
      expect(openaiResponses.usageFromEvent({ type, response: { status: "incomplete", usage } }, undefined)).toEqual({ inputTokens: 10, outputTokens: 3, cachedTokens: 2 });
    }
  });

  it("keepsTheRunningUsageOnResponseCreatedWithNullUsage", () => {
    const running = { inputTokens: 1, outputTokens: 2, cachedTokens: 0 };
    expect(openaiResponses.usageFromEvent({ type: "response.created", response: { usage: null } }, running)).toBe(running);
  });

  it("skipsDeltaEventsAndResponseCreatedBeforeParsing", () => {
    const lines = fixtureText("openai-responses/response-stream.sse").split("\n").filter((l) => l.startsWith("data: "));
    const kept = lines.filter((l) => openaiResponses.mayCarryUsage?.(l.slice(6), "x"));
    expect(kept.length).toBe(1);
    expect(kept[0]).toContain("response.completed");
  });

  it("probesWithTheSmallestOutputTheResponsesApiAccepts", () => {
    expect(JSON.parse(openaiResponses.validationProbe("gpt-4.1").body ?? "")).toEqual({ model: "gpt-4.1", input: "hi", max_output_tokens: 16 });
  });
});
