import { describe, expect, it } from "bun:test";
import { classifyResponse, errorReason, hasCode, QUOTA_COOLDOWN_MS, quotaExhausted, readProviderError, redactSecrets, REASON_MAX_CHARS } from "../../src/channels/classify-response.ts";
import { classifyInput, fixtureText, NOW } from "./contract.ts";

describe("classifyResponse", () => {
  it("returnsOneFrozenSuccessWithoutReadingTheBody", () => {
    const a = classifyResponse(classifyInput(200, "{not json"));
    expect(a).toEqual({ kind: "success" });
    expect(Object.isFrozen(a)).toBe(true);
    expect(classifyResponse(classifyInput(399))).toBe(a);
  });

  it("asksTheQuirkFirstAndFallsBackToThePolicy", () => {
    const seen: string[] = [];
    const quirk = (_: unknown, e: { codes: readonly string[] }) => {
      seen.push(e.codes.join(","));
      return e.codes.includes("special") ? ({ kind: "invalid", reason: "quirk" } as const) : undefined;
    };
    expect(classifyResponse(classifyInput(418, '{"error":{"code":"special"}}'), quirk)).toEqual({ kind: "invalid", reason: "quirk" });
    expect(classifyResponse(classifyInput(418, '{"error":{"code":"plain"}}'), quirk).kind).toBe("client-error");
    expect(seen).toEqual(["special", "plain"]);
  });

  it("neverAsksTheQuirkAboutASuccess", () => {
    let asked = false;
    classifyResponse(classifyInput(200), () => {
      asked = true;
      return undefined;
    });
    expect(asked).toBe(false);
  });

  it("letsAnInvalidKeyStatusWinOverARateLimitListingTheSameStatus", () => {
    const statuses = { invalidKey: [401], rateLimit: [401, 429], retry: [] };
    expect(classifyResponse(classifyInput(401, "", {}, { statuses })).kind).toBe("invalid");
  });

  it("blamesTheUpstreamForAny5xxEvenOutsideTheRetryList", () => {
    const statuses = { invalidKey: [], rateLimit: [], retry: [] };
    expect(classifyResponse(classifyInput(507, "", {}, { statuses })).kind).toBe("upstream-failure");
    expect(classifyResponse(classifyInput(401, "", {}, { statuses })).kind).toBe("client-error");
  });
});

describe("readProviderError", () => {
  it("readsOpenAIAnthropicAndGoogleShapes", () => {
    expect(readProviderError(fixtureText("openai/error-429.json")).codes).toEqual(["rate_limit_exceeded", "requests"]);
    expect(readProviderError(fixtureText("anthropic/error-529.json"))).toMatchObject({ codes: ["overloaded_error"], message: "Overloaded" });
    expect(readProviderError(fixtureText("gemini/error-400-api-key-invalid.json")).codes).toEqual(["API_KEY_INVALID", "INVALID_ARGUMENT"]);
  });

  it("unwrapsAnArrayWrappedError", () => {
    expect(readProviderError(fixtureText("gemini/openai-compat-error-400-api-key-invalid.json")).codes[0]).toBe("API_KEY_INVALID");
  });

  it("readsFlatAndStringErrors", () => {
    expect(readProviderError('{"message":"flat","code":"x"}')).toMatchObject({ codes: ["x"], message: "flat" });
    expect(readProviderError('{"error":"just text"}')).toMatchObject({ codes: [], message: "just text" });
  });

  it("keepsPlainTextButNotHtmlAsTheMessage", () => {
    expect(readProviderError("upstream connect error")).toEqual({ body: undefined, codes: [], message: "upstream connect error" });
    expect(readProviderError("<!DOCTYPE html><title>502</title>").message).toBe("");
    expect(readProviderError("").message).toBe("");
  });

  it("ignoresNumericCodesAndJsonThatIsNoError", () => {
    expect(readProviderError('{"error":{"code":429,"message":"m"}}').codes).toEqual([]);
    expect(readProviderError("[]")).toMatchObject({ codes: [], message: "" });
    expect(readProviderError("42")).toMatchObject({ codes: [], message: "" });
  });
});

describe("errorReason", () => {
  it("putsStatusCodeAndMessageOnOneLine", () => {
    expect(errorReason(503, { body: undefined, codes: ["UNAVAILABLE"], message: "The model is\n  overloaded." })).toBe("503 UNAVAILABLE: The model is overloaded.");
    expect(errorReason(500, { body: undefined, codes: [], message: "" })).toBe("500");
  });

  it("cutsLongReasons", () => {
    const reason = errorReason(400, { body: undefined, codes: ["x"], message: "word ".repeat(100) });
    expect(reason.length).toBe(REASON_MAX_CHARS);
    expect(reason.endsWith("…")).toBe(true);
  });
});

describe("redactSecrets", () => {
  it("removesTheKnownKeyWhereverItAppears", () => {
    expect(redactSecrets("bad key short-key-1 and short-key-1", "short-key-1")).toBe("bad key *** and ***");
  });

  it("removesAnythingShapedLikeAProviderKey", () => {
    expect(redactSecrets("key sk-ant-api03-AbCdEf_123-xyz rejected")).toBe("key *** rejected");
    expect(redactSecrets("key AIzaSyD-abcdefghijklmnopqrstuvwxyz01234 rejected")).toBe("key *** rejected");
    expect(redactSecrets("provided: sk-proj-****abcd.")).toBe("provided: ***.");
    expect(redactSecrets("token gsk_0123456789abcdefABCDEF0123456789abcd end")).toBe("token gsk_*** end");
    expect(redactSecrets("masked ab12********yz89 end")).toBe("masked *** end");
  });

  it("keepsOrdinaryTextAndModelNames", () => {
    const text = "Rate limit reached for gemini-2.5-flash-preview-native-audio-dialog in org-Vw2dkX9; see https://platform.openai.com/account/rate-limits";
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("quotaExhausted", () => {
  it("coolsTheKeyForTheQuotaCooldown", () => {
    const input = classifyInput(429, fixtureText("openai/error-429-quota.json"));
    const event = quotaExhausted(input, readProviderError(input.bodyText));
    expect(event).toMatchObject({ kind: "rate-limited", resetAt: NOW + QUOTA_COOLDOWN_MS });
  });
});

describe("hasCode", () => {
  it("matchesCodesWithoutMindingCase", () => {
    const error = readProviderError(fixtureText("gemini/error-400-api-key-invalid.json"));
    expect(hasCode(error, ["api_key_invalid"])).toBe(true);
    expect(hasCode(error, ["permission_denied"])).toBe(false);
  });
});
