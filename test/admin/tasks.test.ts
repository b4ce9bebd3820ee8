import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { startFakeUpstream, type FakeReply, type FakeUpstream, type RecordedRequest } from "../support/fake-upstream.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

type Task = {
  id: string;
  kind: string;
  group_id: number;
  scope: string;
  trigger: string;
  status: "running" | "done" | "failed";
  total: number;
  done: number;
  valid: number;
  invalid: number;
  unknown: number;
  rate_limited: number;
  restored: number;
  invalidated: number;
  started_at: number;
  finished_at: number | null;
  error?: string;
};
type ErrorBody = { error: { code: string; message: string; field?: string } };

const GOOD = ["sk-good-1111aaaa", "sk-good-2222bbbb"];
const BAD = ["sk-bad-3333cccc", "sk-bad-4444dddd"];
const LIMITED = "sk-limited-5555eeee";
const BROKEN = "sk-broken-6666ffff";
const ALL_KEYS = [...GOOD, ...BAD, LIMITED, BROKEN];

/** An OpenAI-like provider: good keys 200, bad keys 401 (echoing the key), one 429, one 503. */
function reply(good: Set<string>) {
  return (req: RecordedRequest): FakeReply => {
    const key = (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    if (good.has(key)) return { json: { id: "chatcmpl-1", choices: [] } };
    if (key === LIMITED) return { status: 429, json: { error: { message: "Rate limit reached", code: "rate_limit_exceeded" } } };
    if (key === BROKEN) return { status: 503, json: { error: { message: "overloaded" } } };
    return { status: 401, json: { error: { message: `Incorrect API key provided: ${key}`, type: "invalid_request_error", code: "invalid_api_key" } } };
  };
}

let gw: TestGateway;
let fake: FakeUpstream;
let good: Set<string>;
let groupId: number;
let events: ChangeEvent[];

beforeEach(async () => {
  gw = startTestGateway();
  good = new Set(GOOD);
  fake = startFakeUpstream(reply(good));
  const res = await gw.call("/api/groups", { method: "POST", json: { name: "main", channel_type: "openai", upstreams: [{ url: fake.url, weight: 1 }] } });
  groupId = ((await res.json()) as { id: number }).id;
  expect((await gw.call(`/api/groups/${groupId}/keys`, { method: "POST", json: { keys: ALL_KEYS.join("\n") } })).status).toBe(200);
  events = [];
  gw.gateway.bus.subscribe((e) => events.push(e));
});
afterEach(async () => {
  await gw.close();
  await fake.close();
});

const startValidation = (body?: unknown, id = groupId) => gw.call(`/api/groups/${id}/keys/validate`, { method: "POST", ...(body === undefined ? {} : { json: body }) });
const getTask = async (id: string) => (await (await gw.call(`/api/tasks/${id}`)).json()) as Task;
const keyList = async () =>
  ((await (await gw.call(`/api/groups/${groupId}/keys?page_size=100`)).json()) as { items: { id: number; masked: string; status: string; reason: string | null }[] }).items;
/** Holds every upstream answer until the returned function is called. */
const holdUpstream = () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  fake.setDefault((req) => ({ holdUntil: gate, ...reply(good)(req) }));
  return release;
};

describe("admin tasks", () => {
  it("requiresTheAdminKey", async () => {
    const post = await gw.call(`/api/groups/${groupId}/keys/validate`, { method: "POST", auth: false });
    expect(post.status).toBe(401);
    expect(((await post.json()) as ErrorBody).error.code).toBe("unauthorized");
    expect((await gw.call("/api/tasks/anything", { auth: false })).status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });

  it("startsAValidationAt202AndReportsItsProgressUntilDone", async () => {
    const release = holdUpstream();
    const res = await startValidation();
    expect(res.status).toBe(202);
    const body = (await res.json()) as { task_id: string; task: Task };
    expect(res.headers.get("location")).toBe(`/api/tasks/${body.task_id}`);
    expect(body.task).toMatchObject({ id: body.task_id, kind: "validate-keys", group_id: groupId, scope: "all", trigger: "manual", status: "running", finished_at: null });

    await fake.request(ALL_KEYS.length - 1); // default concurrency 8: every probe is waiting upstream
    const running = await getTask(body.task_id);
    expect(running).toMatchObject({ status: "running", total: ALL_KEYS.length, done: 0 });

    release();
    await gw.gateway.keyValidation.finished(body.task_id);
    const done = await getTask(body.task_id);
    expect(done).toMatchObject({ status: "done", total: 6, done: 6, valid: 3, rate_limited: 1, invalid: 2, unknown: 1, invalidated: 2, restored: 0 });
    expect(done.finished_at).toBeGreaterThanOrEqual(done.started_at);
    expect(JSON.stringify(done)).not.toMatch(/sk-/);

    const keys = await keyList();
    const statusOf = (key: string) => keys.find((k) => k.masked.startsWith(key.slice(0, 4)) && k.masked.endsWith(key.slice(-4)))!;
    for (const k of BAD) {
      expect(statusOf(k).status).toBe("invalid");
      expect(statusOf(k).reason).toContain("invalid_api_key");
      expect(statusOf(k).reason).not.toContain(k);
    }
    for (const k of [...GOOD, LIMITED, BROKEN]) expect(statusOf(k).status).toBe("active");
    expect(events).toContainEqual({ kind: "keys-changed", groupId });
    expect(gw.gateway.registry.byId(groupId)!.keys.counts(Date.now())).toMatchObject({ active: 4, invalid: 2 });
  });

  it("restoresInvalidKeysThatWorkAgainAndTestsOnlyTheScopeAsked", async () => {
    await gw.gateway.keyValidation.finished(((await (await startValidation()).json()) as { task_id: string }).task_id);
    good.add(BAD[0]!);
    fake.reset();
    fake.setDefault(reply(good));

    const res = await startValidation({ status: "invalid" });
    expect(res.status).toBe(202);
    const { task_id } = (await res.json()) as { task_id: string };
    await gw.gateway.keyValidation.finished(task_id);
    expect(await getTask(task_id)).toMatchObject({ status: "done", scope: "invalid", total: 2, valid: 1, invalid: 1, restored: 1, invalidated: 0 });
    expect(fake.requests.map((r) => r.headers.get("authorization")).sort()).toEqual(BAD.map((k) => `Bearer ${k}`).sort());
    expect((await keyList()).filter((k) => k.status === "invalid")).toHaveLength(1);
    expect(gw.gateway.registry.byId(groupId)!.keys.counts(Date.now())).toMatchObject({ active: 5, invalid: 1 });
  });

  it("answers409WithTheRunningTaskWhileTheGroupIsBeingValidated", async () => {
    const release = holdUpstream();
    const first = (await (await startValidation()).json()) as { task_id: string };
    await fake.request(0);
    const second = await startValidation({ status: "invalid" });
    expect(second.status).toBe(409);
    const body = (await second.json()) as ErrorBody & { task_id: string };
    expect(body.error.code).toBe("validation_running");
    expect(body.error.message).toContain(first.task_id);
    expect(body.task_id).toBe(first.task_id);
    release();
    await gw.gateway.keyValidation.finished(first.task_id);
    expect((await startValidation()).status).toBe(202);
  });

  it("keepsProbesInFlightWithinValidationConcurrency", async () => {
    expect((await gw.call("/api/settings", { method: "PATCH", json: { validation_concurrency: 2 } })).status).toBe(200);
    // The upstream counts requests it holds and lets a batch go only once two are waiting (or
    // the last key arrived); an unbounded run would have all six waiting at once.
    let inFlight = 0;
    let maxInFlight = 0;
    let arrived = 0;
    let held: (() => void)[] = [];
    fake.setDefault((req) => {
      arrived++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const gate = new Promise<void>((resolve) => held.push(resolve));
      if (held.length === 2 || arrived === ALL_KEYS.length) {
        for (const r of held.splice(0)) r();
      }
      return { holdUntil: gate.then(() => inFlight--), ...reply(good)(req) };
    });
    const { task_id } = (await (await startValidation()).json()) as { task_id: string };
    await gw.gateway.keyValidation.finished(task_id);
    expect((await getTask(task_id)).done).toBe(ALL_KEYS.length);
    expect(maxInFlight).toBe(2);
  });

  it("answersErrorsInTheAdminErrorShape", async () => {
    const unknownTask = await gw.call("/api/tasks/no-such-task");
    expect(unknownTask.status).toBe(404);
    expect(((await unknownTask.json()) as ErrorBody).error.code).toBe("not_found");

    const unknownGroup = await startValidation(undefined, 9999);
    expect(unknownGroup.status).toBe(404);
    expect(((await unknownGroup.json()) as ErrorBody).error.code).toBe("not_found");

    const badScope = await startValidation({ status: "cooldown" });
    expect(badScope.status).toBe(400);
    expect(((await badScope.json()) as ErrorBody).error).toMatchObject({ code: "invalid_request", field: "status" });

    const aggregate = await gw.call("/api/groups", { method: "POST", json: { name: "agg", channel_type: "openai", upstreams: [], sub_groups: [{ group_id: groupId, weight: 1 }] } });
    const aggId = ((await aggregate.json()) as { id: number }).id;
    const refused = await startValidation(undefined, aggId);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error.message).toContain("aggregate");
    expect(fake.requests).toHaveLength(0);
  });
});
