import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { createKeyValidation, firstUsableUpstream, validateKeys, type KeyResult, type KeyValidation, type ProbeGroup } from "../../src/jobs/validate-keys.ts";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { startFakeUpstream, type FakeReply, type FakeUpstream, type RecordedRequest } from "../support/fake-upstream.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

const STATUSES = { invalidKey: [401, 403], rateLimit: [429], retry: [500, 502, 503, 504] };

/** What the fake provider thinks of each key; unknown keys answer 401. */
type Verdict = "good" | "bad" | "limited" | "broken";

function keyOf(req: RecordedRequest): string {
  return req.headers.get("x-goog-api-key") ?? req.headers.get("x-api-key") ?? (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
}

function providerReply(verdicts: Map<string, Verdict>, channel: "openai" | "gemini" = "openai") {
  return (req: RecordedRequest): FakeReply => {
    const key = keyOf(req);
    switch (verdicts.get(key) ?? "bad") {
      case "good":
        return { json: { id: "ok", usage: { prompt_tokens: 1, completion_tokens: 1 } } };
      case "limited":
        return { status: 429, headers: { "retry-after": "30" }, json: { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } } };
      case "broken":
        return { status: 503, json: { error: { message: "overloaded", type: "server_error" } } };
      case "bad":
        // Providers echo the key back (OpenAI prints it partly masked); the reason must not keep it.
        return channel === "gemini"
          ? { status: 400, json: { error: { code: 400, message: `API key not valid: ${key}`, status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } } }
          : { status: 401, json: { error: { message: `Incorrect API key provided: ${key}.`, type: "invalid_request_error", code: "invalid_api_key" } } };
    }
  };
}

const group = (url: string, channelType = "openai", extra: Partial<ProbeGroup> = {}): ProbeGroup => ({
  channelType,
  upstreams: [{ url, weight: 1 }],
  testModel: "",
  statuses: STATUSES,
  ...extra,
});

const byId = (results: KeyResult[]) => Object.fromEntries(results.map((r) => [r.id, r.outcome]));

describe("validateKeys", () => {
  let fake: FakeUpstream;
  const verdicts = new Map<string, Verdict>();
  beforeAll(() => {
    fake = startFakeUpstream(providerReply(verdicts));
  });
  beforeEach(() => {
    fake.reset();
    fake.setDefault(providerReply(verdicts));
    verdicts.clear();
  });
  afterAll(() => fake.close());

  it("classifiesEachKeyByTheChannelsReadingOfTheAnswer", async () => {
    verdicts.set("sk-good-0001", "good").set("sk-bad-0002", "bad").set("sk-limited-0003", "limited").set("sk-broken-0004", "broken");
    const results = await validateKeys({
      group: group(fake.url),
      keys: [
        { id: 1, value: "sk-good-0001" },
        { id: 2, value: "sk-bad-0002" },
        { id: 3, value: "sk-limited-0003" },
        { id: 4, value: "sk-broken-0004" },
      ],
      fetch,
      concurrency: 4,
      now: () => 1_000,
    });
    const out = byId(results);
    expect(out[1]).toEqual({ kind: "valid" });
    expect(out[2]?.kind).toBe("invalid");
    expect(out[3]?.kind).toBe("rate-limited");
    expect(out[4]?.kind).toBe("unknown");
  });

  it("sendsTheChannelProbeToTheUpstreamPathWithTheKeyInjected", async () => {
    verdicts.set("sk-ant-good-1", "good");
    await validateKeys({ group: group(`${fake.url}/base/`, "anthropic", { testModel: "claude-x" }), keys: [{ id: 1, value: "sk-ant-good-1" }], fetch, concurrency: 1, now: () => 0 });
    const req = await fake.request(0);
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/base/v1/messages");
    expect(req.headers.get("x-api-key")).toBe("sk-ant-good-1");
    expect(req.headers.get("authorization")).toBeNull();
    expect(req.headers.get("anthropic-version")).toBeTruthy();
    expect(req.json()).toMatchObject({ model: "claude-x", max_tokens: 1 });
  });

  it("usesTheGroupsValidationEndpointInsteadOfTheProbePathWhenSet", async () => {
    verdicts.set("sk-good-1", "good");
    await validateKeys({ group: group(fake.url, "openai", { validationEndpoint: "/custom/check" }), keys: [{ id: 1, value: "sk-good-1" }], fetch, concurrency: 1, now: () => 0 });
    expect((await fake.request(0)).path).toBe("/custom/check");
  });

  it("readsGeminiApiKeyInvalidAsInvalidAndKeepsTheKeyOutOfTheReason", async () => {
    fake.setDefault(providerReply(verdicts, "gemini"));
    const key = "AIzaSyBadBadBadBadBadBadBad000000000";
    const [result] = await validateKeys({ group: group(fake.url, "gemini"), keys: [{ id: 7, value: key }], fetch, concurrency: 1, now: () => 0 });
    expect(result?.outcome.kind).toBe("invalid");
    const reason = (result?.outcome as { reason: string }).reason;
    expect(reason).toContain("API_KEY_INVALID");
    expect(reason).not.toContain(key);
    const req = await fake.request(0);
    expect(req.headers.get("x-goog-api-key")).toBe(key);
    expect(req.path).toMatch(/^\/v1beta\/models\/.+:generateContent$/);
  });

  it("neverKeepsAnEchoedKeyInAnyReason", async () => {
    const keys = ["sk-bad-echo-1234", "plainkeywithoutprefix99"].map((value, i) => ({ id: i + 1, value }));
    const results = await validateKeys({ group: group(fake.url), keys, fetch, concurrency: 2, now: () => 0 });
    for (const r of results) {
      expect(r.outcome.kind).toBe("invalid");
      for (const k of keys) expect(JSON.stringify(r.outcome)).not.toContain(k.value);
    }
  });

  it("neverHasMoreProbesInFlightThanTheConcurrency", async () => {
    const keys = Array.from({ length: 9 }, (_, i) => ({ id: i + 1, value: `sk-good-${i}` }));
    for (const k of keys) verdicts.set(k.value, "good");
    const limit = 3;
    // The upstream holds every request until `limit` of them are waiting, so an unbounded run
    // would pile all nine up; the counting fetch sees the same from the caller's side.
    let held: (() => void)[] = [];
    let upstreamInFlight = 0;
    let upstreamMax = 0;
    let arrived = 0;
    fake.setDefault((req) => {
      upstreamInFlight++;
      arrived++;
      upstreamMax = Math.max(upstreamMax, upstreamInFlight);
      const gate = new Promise<void>((resolve) => held.push(resolve));
      if (held.length === limit || arrived === keys.length) {
        const release = held;
        held = [];
        for (const r of release) r();
      }
      return { holdUntil: gate.then(() => upstreamInFlight--), ...providerReply(verdicts)(req) };
    });
    let callerInFlight = 0;
    let callerMax = 0;
    const countingFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      callerMax = Math.max(callerMax, ++callerInFlight);
      try {
        return await fetch(input, init);
      } finally {
        callerInFlight--;
      }
    }) as typeof fetch;
    const progress: number[] = [];
    const results = await validateKeys({ group: group(fake.url), keys, fetch: countingFetch, concurrency: limit, now: () => 0, onProgress: (r) => progress.push(r.id) });
    expect(results).toHaveLength(9);
    expect(results.every((r) => r.outcome.kind === "valid")).toBe(true);
    expect(progress.sort((a, b) => a - b)).toEqual(keys.map((k) => k.id));
    expect(callerMax).toBe(limit);
    expect(upstreamMax).toBeLessThanOrEqual(limit);
  });

  it("reportsAProbeWithoutAnAnswerInTimeAsUnknown", async () => {
    fake.setDefault({ hang: true });
    const [result] = await validateKeys({ group: group(fake.url), keys: [{ id: 1, value: "sk-slow-1" }], fetch, concurrency: 1, now: () => 0, timeoutMs: 50 });
    expect(result?.outcome).toEqual({ kind: "unknown", reason: "no answer within 50 ms" });
  });

  it("reportsAConnectionFailureAsUnknown", async () => {
    const dead = startFakeUpstream();
    const url = dead.url;
    await dead.close();
    const [result] = await validateKeys({ group: group(url), keys: [{ id: 1, value: "sk-dead-1" }], fetch, concurrency: 1, now: () => 0 });
    expect(result?.outcome.kind).toBe("unknown");
    expect(JSON.stringify(result)).not.toContain("sk-dead-1");
  });

  it("takesNoNewKeysOnceAborted", async () => {
    const controller = new AbortController();
    let released!: () => void;
    const gate = new Promise<void>((resolve) => (released = resolve));
    fake.setDefault({ holdUntil: gate, json: { ok: true } });
    const run = validateKeys({
      group: group(fake.url),
      keys: Array.from({ length: 5 }, (_, i) => ({ id: i + 1, value: `sk-k-${i}` })),
      fetch,
      concurrency: 1,
      signal: controller.signal,
      now: () => 0,
    });
    await fake.request(0);
    controller.abort();
    released();
    const results = await run;
    expect(results).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("refusesAGroupWithoutAUsableUpstream", async () => {
    expect(firstUsableUpstream([{ url: "http://a.example", weight: 0 }, { url: "not a url", weight: 1 }, { url: "https://b.example", weight: 2 }])).toBe("https://b.example");
    await expect(validateKeys({ group: { ...group(fake.url), upstreams: [{ url: fake.url, weight: 0 }] }, keys: [], fetch, concurrency: 1, now: () => 0 })).rejects.toThrow(/no usable upstream/);
  });
});

describe("createKeyValidation", () => {
  let gw: TestGateway;
  let fake: FakeUpstream;
  let clock: number;
  let validation: KeyValidation;
  let events: ChangeEvent[];
  const verdicts = new Map<string, Verdict>();

  beforeEach(() => {
    gw = startTestGateway();
    fake = startFakeUpstream(providerReply(verdicts));
    verdicts.clear();
    clock = 1_000_000;
    const g = gw.gateway;
    validation = createKeyValidation({ db: g.store.db, sqlite: g.store.sqlite, box: g.box, bus: g.bus, settings: g.settings, fetch, now: () => clock, logger: g.logger, flushPool: g.flushKeyStates });
    events = [];
    g.bus.subscribe((e) => events.push(e));
  });
  afterEach(async () => {
    await validation.stop();
    await gw.close();
    await fake.close();
  });

  const createGroup = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await gw.call("/api/groups", { method: "POST", json: { name, channel_type: "openai", upstreams: [{ url: fake.url, weight: 1 }], ...extra } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: number }).id;
  };
  const importKeys = async (groupId: number, keys: string[]) => {
    const res = await gw.call(`/api/groups/${groupId}/keys`, { method: "POST", json: { keys } });
    expect(res.status).toBe(200);
  };
  const keyStates = (groupId: number) =>
    gw.gateway.store.sqlite.query<{ id: number; masked: string; status: string; reason: string | null }, [number]>("SELECT id, masked, status, reason FROM api_keys WHERE group_id = ? ORDER BY id").all(groupId);
  const setSettings = async (values: Record<string, unknown>) => expect((await gw.call("/api/settings", { method: "PATCH", json: values })).status).toBe(200);
  /** Runs a validation of `scope` to its end and answers the finished task. */
  const validate = async (groupId: number, scope: "invalid" | "active" | "all") => {
    const started = validation.start(groupId, scope);
    if (started.kind !== "started") throw new Error(`not started: ${started.kind}`);
    return (await validation.finished(started.task.id))!;
  };

  it("invalidatesRejectedKeysRestoresGoodOnesAndLeavesThrottledAndFailingKeysAlone", async () => {
    const id = await createGroup("main");
    verdicts.set("sk-a-good", "bad").set("sk-b-bad", "bad").set("sk-c-limited", "limited").set("sk-d-broken", "broken").set("sk-e-good", "good");
    await importKeys(id, ["sk-a-good", "sk-b-bad", "sk-c-limited", "sk-d-broken", "sk-e-good"]);

    const first = await validate(id, "all");
    expect(first).toMatchObject({ status: "done", total: 5, done: 5, valid: 2, invalid: 2, unknown: 1, rateLimited: 1, invalidated: 2, restored: 0 });
    expect(keyStates(id).map((k) => k.status)).toEqual(["invalid", "invalid", "active", "active", "active"]);
    expect(events).toContainEqual({ kind: "keys-changed", groupId: id });
    // The pool of this node was reloaded from the database.
    const pool = gw.gateway.registry.byId(id)!.keys;
    expect(pool.counts(clock)).toMatchObject({ active: 3, invalid: 2 });

    // sk-a comes back; only invalid keys are tested.
    verdicts.set("sk-a-good", "good").set("sk-c-limited", "bad");
    fake.reset();
    fake.setDefault(providerReply(verdicts));
    const second = await validate(id, "invalid");
    expect(second).toMatchObject({ status: "done", total: 2, valid: 1, invalid: 1, restored: 1, invalidated: 0 });
    expect(fake.requests).toHaveLength(2);
    const states = keyStates(id);
    expect(states.map((k) => k.status)).toEqual(["active", "invalid", "active", "active", "active"]);
    expect(states[0]?.reason).toBeNull();
    expect(states[1]?.reason).toContain("invalid_api_key");
    for (const k of states) for (const v of verdicts.keys()) expect(k.reason ?? "").not.toContain(v);
    expect(pool.counts(clock)).toMatchObject({ active: 4, invalid: 1 });
  });

  it("leavesDisabledKeysUntested", async () => {
    const id = await createGroup("main");
    await importKeys(id, ["sk-one", "sk-two"]);
    const [one] = keyStates(id);
    expect((await gw.call(`/api/keys/${one!.id}`, { method: "PATCH", json: { status: "disabled" } })).status).toBe(200);
    const task = await validate(id, "all");
    expect(task.total).toBe(1);
    expect(keyStates(id).map((k) => k.status)).toEqual(["disabled", "invalid"]);
  });

  it("refusesASecondRunOnTheSameGroupWhileOneRuns", async () => {
    const id = await createGroup("main");
    await importKeys(id, ["sk-one"]);
    let release!: () => void;
    fake.setDefault({ holdUntil: new Promise<void>((r) => (release = r)), json: { ok: true } });
    const first = validation.start(id, "all");
    expect(first.kind).toBe("started");
    await fake.request(0);
    const second = validation.start(id, "invalid");
    expect(second.kind).toBe("running");
    if (first.kind === "started" && second.kind === "running") expect(second.task.id).toBe(first.task.id);
    release();
    if (first.kind === "started") expect((await validation.finished(first.task.id))?.status).toBe("done");
    expect(validation.start(id, "all").kind).toBe("started");
  });

  it("explainsWhyAGroupCannotBeValidated", async () => {
    expect(validation.start(999, "all")).toEqual({ kind: "not-found" });
    const member = await createGroup("member");
    const aggregate = await createGroup("aggregate", { upstreams: [], sub_groups: [{ group_id: member, weight: 1 }] });
    expect(validation.start(aggregate, "all")).toMatchObject({ kind: "unusable", field: "id" });
  });

  it("runsOnScheduleOnlyWhenTheIntervalHasPassedAndNeverWhenItIsZero", async () => {
    const id = await createGroup("main");
    await importKeys(id, ["sk-one"]);
    await validate(id, "all"); // sk-one is invalid now
    verdicts.set("sk-one", "good");
    fake.reset();
    fake.setDefault(providerReply(verdicts));

    await setSettings({ validation_interval_minutes: 0 });
    await validation.runScheduled();
    expect(fake.requests).toHaveLength(0);

    await setSettings({ validation_interval_minutes: 30 });
    await validation.runScheduled();
    expect(fake.requests).toHaveLength(1);
    expect(keyStates(id)[0]?.status).toBe("active");

    verdicts.set("sk-one", "bad");
    await validation.runScheduled(); // not due yet
    clock += 29 * 60_000;
    await validation.runScheduled(); // still not due
    expect(fake.requests).toHaveLength(1);
    clock += 60_000;
    await validation.runScheduled(); // due, but only invalid keys are tested and there are none
    expect(fake.requests).toHaveLength(1);
  });

  it("retestsActiveKeysOnScheduleWhenTheGroupAsksForIt", async () => {
    await setSettings({ validation_interval_minutes: 10 });
    const plain = await createGroup("plain");
    const strict = await createGroup("strict", { config: { validate_active_keys: true } });
    const off = await createGroup("off", { enabled: false, config: { validate_active_keys: true } });
    await importKeys(plain, ["sk-p"]);
    await importKeys(strict, ["sk-s"]);
    await importKeys(off, ["sk-o"]);
    await validation.runScheduled();
    expect(fake.requests.map(keyOf)).toEqual(["sk-s"]);
    expect(keyStates(strict)[0]?.status).toBe("invalid");
    expect(keyStates(plain)[0]?.status).toBe("active");
    expect(keyStates(off)[0]?.status).toBe("active");
  });

  it("skipsAGroupAlreadyBeingValidatedOnSchedule", async () => {
    await setSettings({ validation_interval_minutes: 10, validate_active_keys: true });
    const id = await createGroup("main");
    await importKeys(id, ["sk-one"]);
    let release!: () => void;
    fake.setDefault({ holdUntil: new Promise<void>((r) => (release = r)), json: { ok: true } });
    const manual = validation.start(id, "all");
    await fake.request(0);
    await validation.runScheduled(); // returns at once: the group is busy
    expect(fake.requests).toHaveLength(1);
    release();
    if (manual.kind === "started") await validation.finished(manual.task.id);
  });

  it("keepsOnlyTheNewestFinishedTasks", async () => {
    const g = gw.gateway;
    const small = createKeyValidation({ db: g.store.db, sqlite: g.store.sqlite, box: g.box, bus: g.bus, settings: g.settings, fetch, now: () => clock, logger: g.logger, maxTasks: 2 });
    const id = await createGroup("main");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const started = small.start(id, "invalid");
      if (started.kind !== "started") throw new Error("not started");
      ids.push(started.task.id);
      await small.finished(started.task.id);
    }
    expect(small.get(ids[0]!)).toBeUndefined();
    expect(small.get(ids[2]!)?.status).toBe("done");
  });
});
