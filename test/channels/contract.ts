// The contract every channel keeps, run by each channel's own test with that channel's fixtures:
// key injection, the failure table of DESIGN.md, usage from recorded JSON and SSE, native errors,
// the probe and the model path/body handling. A check a channel cannot meet is skipped with a reason.

import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { createSseParser, parseSseJson } from "../../src/channels/sse.ts";
import type { Channel, ClassifyInput, JsonBody, StatusPolicy, Usage } from "../../src/channels/types.ts";

export const FIXTURES = `${import.meta.dir}/../fixtures`;
export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
export const DEFAULT_STATUSES: StatusPolicy = Object.freeze({ invalidKey: [401, 403], rateLimit: [429], retry: [500, 502, 503, 504] });
export const UPSTREAM_KEY = "sk-upstream-0123456789abcdefABCDEF";
const CLIENT_KEY = "client-access-key-should-vanish";

export function fixtureText(file: string): string {
  return readFileSync(`${FIXTURES}/${file}`, "utf8");
}

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURES}/${file}`));
}

export function classifyInput(status: number, bodyText = "", headers: Record<string, string> = {}, extra: Partial<ClassifyInput> = {}): ClassifyInput {
  return { status, headers: new Headers(headers), bodyText, now: NOW, statuses: DEFAULT_STATUSES, ...extra };
}

/** Runs a whole SSE text through the parser in chunks of `size` bytes and folds the usage. */
export function usageOfStream(channel: Channel, bytes: Uint8Array, size: number, useFilter: boolean): Usage | undefined {
  let running: Usage | undefined;
  const parser = createSseParser((data, event) => {
    if (useFilter && channel.mayCarryUsage !== undefined && !channel.mayCarryUsage(data, event)) return;
    const json = parseSseJson(data);
    if (json !== undefined) running = channel.usageFromEvent(json, running);
  });
  for (let at = 0; at < bytes.length; at += size) parser.push(bytes.subarray(at, at + size));
  parser.end();
  return running;
}

/** Every event of an SSE text, as (data, event) pairs. */
export function eventsOf(bytes: Uint8Array): { data: string; event: string }[] {
  const events: { data: string; event: string }[] = [];
  const parser = createSseParser((data, event) => events.push({ data, event }));
  parser.push(bytes);
  parser.end();
  return events;
}

export type ContractCheck =
  | "injectKey"
  | "invalid401"
  | "invalid403"
  | "rateLimitReset"
  | "serverFailure"
  | "clientError"
  | "usageJson"
  | "usageSse"
  | "nativeError";

export interface ContractFixtures {
  /** A typical request of the channel: its path and parsed JSON body. */
  request: { path: string; body?: JsonBody; model: string; stream: boolean };
  /** A streamed request of the channel. */
  streamRequest: { path: string; search?: string; body?: JsonBody };
  /** Where the key must end up, e.g. ["authorization", (k) => `Bearer ${k}`]. */
  auth: { header: string; value(key: string): string };
  /** Recorded error bodies (paths under test/fixtures/). */
  errors: { 401: string; 403: string; 429: string; 400: string; server: { status: number; file: string } };
  /** Headers and body of a recorded 429 that names its reset, and the reset expected from them. */
  rateLimit: { headers: Record<string, string>; file: string; resetAt: number };
  usageJson: readonly { file: string; expected: Usage }[];
  usageSse: readonly { file: string; expected: Usage }[];
  /** Reads message and type out of the channel's native error body. */
  nativeError: { read(parsed: unknown): { message: unknown; type: unknown }; types: Readonly<Record<number, string>> };
  probe: { defaultModel: string; path: (model: string) => string };
  modelLists: readonly string[];
  notModelLists: readonly string[];
  /** Checks this channel cannot meet, each with the reason. */
  skips?: Partial<Record<ContractCheck, string>>;
}

export function runChannelContract(channel: Channel, fx: ContractFixtures): void {
  const check = (name: ContractCheck, title: string, fn: () => void): void => {
    const reason = fx.skips?.[name];
    if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, fn);
    else it(title, fn);
  };

  describe(`channel contract: ${channel.id}`, () => {
    it("isFrozenDataNamedAfterItsFile", () => {
      expect(Object.isFrozen(channel)).toBe(true);
      expect(Object.isFrozen(channel.defaultHeaders)).toBe(true);
      expect(existsSync(`${import.meta.dir}/../../src/channels/${channel.id}.ts`)).toBe(true);
    });

    check("injectKey", "injectsTheKeyInOneHeaderAndLeavesNoClientCredential", () => {
      const headers = new Headers({
        authorization: `Bearer ${CLIENT_KEY}`,
        "x-api-key": CLIENT_KEY,
        "x-goog-api-key": CLIENT_KEY,
        "content-type": "application/json",
        "anthropic-beta": "prompt-caching-2024-07-31",
      });
      channel.injectKey(headers, UPSTREAM_KEY, fx.request.path);
      expect(headers.get(fx.auth.header)).toBe(fx.auth.value(UPSTREAM_KEY));
      const carrying: string[] = [];
      headers.forEach((value, name) => {
        expect(value).not.toContain(CLIENT_KEY);
        if (value.includes(UPSTREAM_KEY)) carrying.push(name);
      });
      expect(carrying).toEqual([fx.auth.header]);
      expect(headers.get("content-type")).toBe("application/json");
      expect(headers.get("anthropic-beta")).toBe("prompt-caching-2024-07-31");
    });

    it("classifiesEvery2xxAnd3xxAsSuccess", () => {
      for (const status of [200, 201, 204, 301, 304]) expect(channel.classify(classifyInput(status))).toEqual({ kind: "success" });
    });

    check("invalid401", "marksTheKeyInvalidOn401WithTheProvidersReason", () => {
      const event = channel.classify(classifyInput(401, fixtureText(fx.errors[401])));
      expect(event.kind).toBe("invalid");
      if (event.kind === "invalid") {
        expect(event.reason.startsWith("401")).toBe(true);
        expect(event.reason.length).toBeGreaterThan(5);
      }
    });

    check("invalid403", "marksTheKeyInvalidOn403", () => {
      expect(channel.classify(classifyInput(403, fixtureText(fx.errors[403]))).kind).toBe("invalid");
    });

    it("neverKeepsTheKeyOrALongBodyInTheReason", () => {
      const body = channel.errorBody(401, `Incorrect API key provided: ${UPSTREAM_KEY}. ${"x".repeat(500)}`);
      const event = channel.classify(classifyInput(401, body, {}, { key: UPSTREAM_KEY }));
      expect(event.kind).toBe("invalid");
      if (event.kind !== "invalid") return;
      expect(event.reason).not.toContain(UPSTREAM_KEY);
      expect(event.reason).not.toContain(UPSTREAM_KEY.slice(0, 12));
      expect(event.reason.length).toBeLessThanOrEqual(200);
    });

    check("rateLimitReset", "coolsTheKeyUntilTheResetTheProviderNamesOn429", () => {
      const event = channel.classify(classifyInput(429, fixtureText(fx.rateLimit.file), fx.rateLimit.headers));
      expect(event).toMatchObject({ kind: "rate-limited", resetAt: fx.rateLimit.resetAt });
    });

    it("backsOffOn429ThatNamesNoReset", () => {
      const event = channel.classify(classifyInput(429, fixtureText(fx.errors[429])));
      expect(event).toMatchObject({ kind: "rate-limited", resetAt: null });
    });

    check("serverFailure", "blamesTheUpstreamOn5xx", () => {
      const { status, file } = fx.errors.server;
      expect(channel.classify(classifyInput(status, fixtureText(file))).kind).toBe("upstream-failure");
      for (const s of [500, 502, 503, 504, 529, 599]) expect(channel.classify(classifyInput(s, "")).kind).toBe("upstream-failure");
      for (const s of [500, 502]) expect(channel.classify(classifyInput(s, "<html>Bad Gateway</html>")).kind).toBe("upstream-failure");
    });

    check("clientError", "passesOtherClientErrorsThrough", () => {
      expect(channel.classify(classifyInput(400, fixtureText(fx.errors[400]))).kind).toBe("client-error");
      for (const s of [404, 405, 413, 422]) expect(channel.classify(classifyInput(s, channel.errorBody(s, "nope"))).kind).toBe("client-error");
    });

    it("followsTheGroupsStatusPolicy", () => {
      const statuses: StatusPolicy = { invalidKey: [401, 402], rateLimit: [429, 420], retry: [408] };
      const classify = (status: number) => channel.classify(classifyInput(status, channel.errorBody(status, "x"), {}, { statuses }));
      expect(classify(402).kind).toBe("invalid");
      expect(classify(420).kind).toBe("rate-limited");
      expect(classify(408).kind).toBe("upstream-failure");
      expect(classify(403).kind).toBe("client-error");
    });

    check("usageJson", "readsUsageFromRecordedJsonBodies", () => {
      for (const { file, expected } of fx.usageJson) expect(channel.usageFromBody(JSON.parse(fixtureText(file)))).toEqual(expected);
      expect(channel.usageFromBody({})).toBeUndefined();
      expect(channel.usageFromBody(null)).toBeUndefined();
      expect(channel.usageFromBody("text")).toBeUndefined();
    });

    check("usageSse", "readsUsageFromRecordedStreamsWhateverTheChunking", () => {
      for (const { file, expected } of fx.usageSse) {
        const bytes = fixtureBytes(file);
        for (const size of [bytes.length, 1, 7, 64]) {
          expect(usageOfStream(channel, bytes, size, false)).toEqual(expected);
          expect(usageOfStream(channel, bytes, size, true)).toEqual(expected);
        }
      }
    });

    check("usageSse", "skipsOnlyEventsThatCannotChangeUsage", () => {
      for (const { file } of fx.usageSse) {
        for (const { data, event } of eventsOf(fixtureBytes(file))) {
          const json = parseSseJson(data);
          const changes = json !== undefined && channel.usageFromEvent(json, undefined) !== undefined;
          if (changes) expect(channel.mayCarryUsage?.(data, event) ?? true).toBe(true);
        }
      }
    });

    it("keepsTheRunningUsageOnEventsWithoutUsage", () => {
      const running: Usage = { inputTokens: 3, outputTokens: 4, cachedTokens: 1 };
      expect(channel.usageFromEvent({ type: "ping" }, running)).toEqual(running);
      expect(channel.usageFromEvent(null, running)).toEqual(running);
      expect(channel.usageFromEvent([], undefined)).toBeUndefined();
    });

    check("nativeError", "answersInTheProvidersNativeErrorShape", () => {
      for (const [status, type] of Object.entries(fx.nativeError.types)) {
        const message = `gateway says "no" to ${status} ✓`;
        const parsed = JSON.parse(channel.errorBody(Number(status), message));
        expect(fx.nativeError.read(parsed)).toEqual({ message, type });
      }
    });

    it("probesWithTheTestModelOrItsDefault", () => {
      for (const [given, used] of [["", fx.probe.defaultModel], ["my-model-1", "my-model-1"]] as const) {
        const probe = channel.validationProbe(given);
        expect(probe.path).toBe(fx.probe.path(used));
        expect(probe.method).toBe("POST");
        const body = JSON.parse(probe.body ?? "null");
        expect(typeof body).toBe("object");
        expect(JSON.stringify(body).includes(used) || probe.path.includes(used)).toBe(true);
      }
    });

    it("recognisesModelListPaths", () => {
      for (const path of fx.modelLists) expect(channel.isModelList(path)).toBe(true);
      for (const path of fx.notModelLists) expect(channel.isModelList(path)).toBe(false);
    });

    it("readsAndReplacesTheModel", () => {
      const body = fx.request.body === undefined ? undefined : structuredClone(fx.request.body);
      expect(channel.readModel(fx.request.path, body)).toBe(fx.request.model);
      const same = channel.replaceModel(fx.request.path, body, fx.request.model);
      expect(same).toEqual({ path: fx.request.path, bodyChanged: false });
      const next = channel.replaceModel(fx.request.path, body, "other-model-2");
      expect(channel.readModel(next.path, body)).toBe("other-model-2");
    });

    it("tellsStreamedRequestsFromOthers", () => {
      const { path, body, search } = fx.streamRequest;
      expect(channel.isStream(path, new URLSearchParams(search ?? ""), body)).toBe(true);
      expect(channel.isStream(fx.request.path, new URLSearchParams(""), fx.request.body)).toBe(fx.request.stream);
    });
  });
}
