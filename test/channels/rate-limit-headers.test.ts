import { describe, expect, it } from "bun:test";
import { MAX_RESET_MS, parseDuration, parseResetHeaders, parseRetryAfter, retryInfoDelay } from "../../src/channels/rate-limit-headers.ts";
import { fixtureText, NOW } from "./contract.ts";

const iso = (ms: number) => new Date(ms).toISOString();
const reset = (headers: Record<string, string>, body?: unknown) => parseResetHeaders(new Headers(headers), NOW, body);

describe("parseDuration", () => {
  it("readsGoStyleDurationsAsOpenAISendsThem", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("6m0s")).toBe(360_000);
    expect(parseDuration("1h2m3.5s")).toBe(3_723_500);
    expect(parseDuration("20ms")).toBe(20);
    expect(parseDuration("8.64s")).toBe(8640);
    expect(parseDuration("2m59.56s")).toBe(179_560);
    expect(parseDuration("0s")).toBe(0);
    expect(parseDuration("1500us")).toBe(1.5);
    expect(parseDuration("1500µs")).toBe(1.5);
    expect(parseDuration("2000000ns")).toBe(2);
  });

  it("readsProtobufDurationsAsGoogleSendsThem", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("37.825138417s")).toBeCloseTo(37_825.138417, 6);
    expect(parseDuration(".5s")).toBe(500);
  });

  it("readsABareNumberAsSeconds", () => {
    expect(parseDuration("2")).toBe(2000);
    expect(parseDuration(" 0.25 ")).toBe(250);
  });

  it("rejectsAnythingElse", () => {
    for (const text of ["", " ", "s", "abc", "1x", "1s2", "-1s", "1 s", "1s ms", "1d"]) expect(parseDuration(text)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it("readsDeltaSeconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(NOW + 120_000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(NOW);
    expect(parseRetryAfter("1.5", NOW)).toBe(NOW + 1500);
  });

  it("readsAnHttpDate", () => {
    expect(parseRetryAfter("Sun, 01 Jun 2025 12:01:00 GMT", NOW)).toBe(NOW + 60_000);
  });

  it("rejectsGarbage", () => {
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("", NOW)).toBeUndefined();
  });
});

describe("retryInfoDelay", () => {
  it("findsTheRetryInfoAmongOtherDetails", () => {
    expect(retryInfoDelay(JSON.parse(fixtureText("gemini/error-429.json")))).toBe(37_000);
  });

  it("findsItInAnArrayWrappedError", () => {
    expect(retryInfoDelay([{ error: { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }] } }])).toBe(1500);
  });

  it("ignoresBodiesWithoutIt", () => {
    expect(retryInfoDelay(undefined)).toBeUndefined();
    expect(retryInfoDelay(null)).toBeUndefined();
    expect(retryInfoDelay("x")).toBeUndefined();
    expect(retryInfoDelay({ error: { details: "no" } })).toBeUndefined();
    expect(retryInfoDelay({ error: { details: [null, 3, { "@type": "type.googleapis.com/google.rpc.Help" }] } })).toBeUndefined();
    expect(retryInfoDelay({ error: { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: 30 }] } })).toBeUndefined();
    expect(retryInfoDelay(JSON.parse(fixtureText("gemini/error-429-no-retry.json")))).toBeUndefined();
  });
});

describe("parseResetHeaders", () => {
  it("returnsNullWhenNothingNamesAReset", () => {
    expect(reset({})).toBeNull();
    expect(reset({ "x-ratelimit-remaining-requests": "0" })).toBeNull();
    expect(reset({ "retry-after": "later" })).toBeNull();
  });

  it("readsRetryAfterAloneInBothForms", () => {
    expect(reset({ "retry-after": "30" })).toBe(NOW + 30_000);
    expect(reset({ "Retry-After": new Date(NOW + 90_000).toUTCString() })).toBe(NOW + 90_000);
  });

  it("readsRetryAfterMs", () => {
    expect(reset({ "retry-after-ms": "1500" })).toBe(NOW + 1500);
    expect(reset({ "retry-after-ms": "1500", "retry-after": "2" })).toBe(NOW + 2000);
    expect(reset({ "retry-after-ms": "fast" })).toBeNull();
  });

  it("prefersTheResetOfTheExhaustedOpenAILimit", () => {
    const headers = { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s", "x-ratelimit-remaining-tokens": "4000", "x-ratelimit-reset-tokens": "6m0s" };
    expect(reset(headers)).toBe(NOW + 1000);
    const tokens = { "x-ratelimit-remaining-requests": "10", "x-ratelimit-reset-requests": "1s", "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "6m0s" };
    expect(reset(tokens)).toBe(NOW + 360_000);
  });

  it("prefersTheResetOfTheExhaustedAnthropicLimit", () => {
    const headers = {
      "anthropic-ratelimit-requests-remaining": "40",
      "anthropic-ratelimit-requests-reset": iso(NOW + 60_000),
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": iso(NOW + 12_500),
    };
    expect(reset(headers)).toBe(NOW + 12_500);
  });

  it("readsAnthropicTimestampsWithoutFractionsOrWithOffsets", () => {
    expect(reset({ "anthropic-ratelimit-tokens-reset": "2025-06-01T12:00:30Z" })).toBe(NOW + 30_000);
    expect(reset({ "anthropic-ratelimit-tokens-reset": "2025-06-01T14:00:30+02:00" })).toBe(NOW + 30_000);
  });

  it("takesTheLatestOfSeveralExhaustedLimitsAndRetryAfter", () => {
    const headers = {
      "anthropic-ratelimit-requests-remaining": "0",
      "anthropic-ratelimit-requests-reset": iso(NOW + 5_000),
      "anthropic-ratelimit-tokens-remaining": "0",
      "anthropic-ratelimit-tokens-reset": iso(NOW + 20_000),
      "retry-after": "7",
    };
    expect(reset(headers)).toBe(NOW + 20_000);
    expect(reset({ ...headers, "retry-after": "25" })).toBe(NOW + 25_000);
  });

  it("letsRetryAfterWinOverLimitsThatAreNotExhausted", () => {
    expect(reset({ "retry-after": "3", "x-ratelimit-reset-tokens": "5m", "x-ratelimit-remaining-tokens": "100" })).toBe(NOW + 3000);
  });

  it("takesTheLatestResetWhenItCannotTellWhichLimitWasHit", () => {
    expect(reset({ "x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "45s" })).toBe(NOW + 45_000);
    expect(reset({ "anthropic-ratelimit-input-tokens-reset": iso(NOW + 9000), "anthropic-ratelimit-output-tokens-reset": iso(NOW + 4000) })).toBe(NOW + 9000);
  });

  it("readsGoogleRetryInfoFromTheBody", () => {
    expect(reset({}, JSON.parse(fixtureText("gemini/error-429.json")))).toBe(NOW + 37_000);
    expect(reset({ "retry-after": "60" }, JSON.parse(fixtureText("gemini/error-429.json")))).toBe(NOW + 60_000);
  });

  it("ignoresResetsMoreThanADayAway", () => {
    expect(reset({ "retry-after": String(MAX_RESET_MS / 1000 + 1) })).toBeNull();
    expect(reset({ "retry-after": String(MAX_RESET_MS / 1000) })).toBe(NOW + MAX_RESET_MS);
    expect(reset({ "retry-after": "999999999", "x-ratelimit-reset-requests": "3s" })).toBe(NOW + 3000);
    expect(reset({ "anthropic-ratelimit-tokens-reset": "2099-01-01T00:00:00Z" })).toBeNull();
    expect(reset({}, { error: { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "90000s" }] } })).toBeNull();
  });

  it("ignoresResetsAlreadyPastSoThePoolBacksOffInstead", () => {
    expect(reset({ "retry-after": "0" })).toBeNull();
    expect(reset({ "anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-tokens-reset": iso(NOW - 1000) })).toBeNull();
    expect(reset({ "retry-after": new Date(NOW - 60_000).toUTCString(), "x-ratelimit-reset-tokens": "4s" })).toBe(NOW + 4000);
  });

  it("ignoresUnreadableResetValues", () => {
    expect(reset({ "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "soon", "x-ratelimit-reset-tokens": "2s" })).toBe(NOW + 2000);
    expect(reset({ "anthropic-ratelimit-requests-reset": "not a date" })).toBeNull();
  });

  it("readsARemainingOfZeroWithSurroundingSpaces", () => {
    expect(reset({ "x-ratelimit-remaining-tokens": " 0 ", "x-ratelimit-reset-tokens": "1s", "x-ratelimit-reset-requests": "9s" })).toBe(NOW + 1000);
  });
});
