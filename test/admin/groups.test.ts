import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
let events: ChangeEvent[];
beforeEach(() => {
  gw = startTestGateway();
  events = [];
  gw.gateway.bus.subscribe((e) => events.push(e));
});
afterEach(() => gw.close());

type Group = Record<string, unknown> & { id: number; key_counts: Record<string, number> };
type ErrorBody = { error: { code: string; message: string; field?: string } };

const base = { channel_type: "openai", upstreams: [{ url: "https://api.example.com", weight: 1 }] };

async function create(body: Record<string, unknown>): Promise<Group> {
  const res = await gw.call("/api/groups", { method: "POST", json: { ...base, ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as Group;
}

async function refused(res: Response, status: number, field?: string): Promise<ErrorBody["error"]> {
  expect(res.status).toBe(status);
  const { error } = (await res.json()) as ErrorBody;
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
}

describe("admin/groups", () => {
  it("createsAGroupWith201AndReturnsItInSnakeCaseWithDefaults", async () => {
    const group = await create({
      name: "openai-main",
      display_name: "OpenAI",
      model_redirect: { "gpt-4": "gpt-4o" },
      param_overrides: { temperature: 0.2 },
      header_rules: [{ action: "set", name: "X-Client", value: "${client_ip}" }, { action: "remove", name: "x-drop" }],
      config: { max_attempts: 5 },
    });
    expect(group).toMatchObject({
      name: "openai-main",
      display_name: "OpenAI",
      channel_type: "openai",
      upstreams: [{ url: "https://api.example.com", weight: 1 }],
      model_redirect: { "gpt-4": "gpt-4o" },
      model_redirect_strict: false,
      param_overrides: { temperature: 0.2 },
      config: { max_attempts: 5 },
      sub_groups: [],
      enabled: true,
      sort: 0,
      key_counts: { total: 0, active: 0, cooldown: 0, invalid: 0, disabled: 0 },
    });
    expect(typeof group.id).toBe("number");
    expect(events).toEqual([{ kind: "group-changed", groupId: group.id }]);
  });

  it("listsGroupsWithTheirKeyCountsByStatus", async () => {
    const a = await create({ name: "a" });
    const b = await create({ name: "b" });
    await gw.call(`/api/groups/${a.id}/keys`, { method: "POST", json: { keys: "k-000000001 k-000000002 k-000000003" } });
    const list = await gw.call(`/api/groups/${a.id}/keys`);
    const firstId = ((await list.json()) as { items: { id: number }[] }).items[0]!.id;
    await gw.call(`/api/keys/${firstId}`, { method: "PATCH", json: { status: "disabled" } });
    const res = await gw.call("/api/groups");
    const body = (await res.json()) as { items: Group[]; total: number };
    expect(body.total).toBe(2);
    expect(body.items.find((g) => g.id === a.id)!.key_counts).toEqual({ total: 3, active: 2, cooldown: 0, invalid: 0, disabled: 1 });
    expect(body.items.find((g) => g.id === b.id)!.key_counts.total).toBe(0);
  });

  it("readsOneGroupWithItsKeyCounts", async () => {
    const a = await create({ name: "a" });
    await gw.call(`/api/groups/${a.id}/keys`, { method: "POST", json: { keys: ["key-aaaaaaaa1", "key-aaaaaaaa2"] } });
    const res = await gw.call(`/api/groups/${a.id}`);
    expect(((await res.json()) as Group).key_counts).toMatchObject({ total: 2, active: 2 });
  });

  it("answersUnknownGroupIdsWith404", async () => {
    await refused(await gw.call("/api/groups/999"), 404);
    await refused(await gw.call("/api/groups/999", { method: "PATCH", json: { enabled: false } }), 404);
    await refused(await gw.call("/api/groups/999", { method: "DELETE" }), 404);
  });

  it("refusesAClashingNameWith409", async () => {
    await create({ name: "same" });
    const error = await refused(await gw.call("/api/groups", { method: "POST", json: { ...base, name: "same" } }), 409, "name");
    expect(error.code).toBe("conflict");
    const other = await create({ name: "other" });
    await refused(await gw.call(`/api/groups/${other.id}`, { method: "PATCH", json: { name: "same" } }), 409, "name");
  });

  it("validatesEveryFieldAndNamesItIn400", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "Bad Name" }, "name"],
      [{ name: "x".repeat(101) }, "name"],
      [{ name: "ok", channel_type: "cohere" }, "channel_type"],
      [{ name: "ok", upstreams: [] }, "upstreams"],
      [{ name: "ok", upstreams: [{ url: "https://a", weight: 0 }] }, "upstreams"],
      [{ name: "ok", upstreams: [{ url: "file:///etc/passwd", weight: 1 }] }, "upstreams.0.url"],
      [{ name: "ok", upstreams: [{ url: "not a url", weight: 1 }] }, "upstreams.0.url"],
      [{ name: "ok", upstreams: [{ url: "https://a", weight: -1 }] }, "upstreams.0.weight"],
      [{ name: "ok", upstreams: "https://a" }, "upstreams"],
      [{ name: "ok", model_redirect: ["a"] }, "model_redirect"],
      [{ name: "ok", model_redirect: { a: 1 } }, "model_redirect.a"],
      [{ name: "ok", param_overrides: "x" }, "param_overrides"],
      [{ name: "ok", header_rules: [{ action: "set", name: "X-A" }] }, "header_rules.0.value"],
      [{ name: "ok", header_rules: [{ action: "set", name: "bad header", value: "v" }] }, "header_rules.0.name"],
      [{ name: "ok", header_rules: [{ action: "set", name: "X-A", value: "a\r\nb" }] }, "header_rules.0.value"],
      [{ name: "ok", header_rules: [{ action: "add", name: "X-A" }] }, "header_rules.0.action"],
      [{ name: "ok", config: { max_attempts: 0 } }, "config.max_attempts"],
      [{ name: "ok", config: { max_body_bytes: 1024 } }, "config.max_body_bytes"],
      [{ name: "ok", config: { nope: 1 } }, "config.nope"],
      [{ name: "ok", config: [] }, "config"],
      [{ name: "ok", enabled: "yes" }, "enabled"],
      [{ name: "ok", sort: 1.5 }, "sort"],
      [{ name: "ok", validation_endpoint: "v1/models" }, "validation_endpoint"],
      [{ name: "ok", sub_groups: [{ group_id: 12345, weight: 1 }] }, "sub_groups.0.group_id"],
    ];
    for (const [body, field] of cases) {
      const res = await gw.call("/api/groups", { method: "POST", json: { ...base, ...body } });
      const error = await refused(res, 400);
      expect(error.field, JSON.stringify(body)).toStartWith(field);
      expect(error.message.length, JSON.stringify(body)).toBeGreaterThan(10);
    }
    await refused(await gw.call("/api/groups", { method: "POST", json: { name: "ok" } }), 400, "channel_type");
    expect((await gw.call("/api/groups")).status).toBe(200);
    expect(events).toEqual([]);
  });

  it("patchesOnlyTheGivenFieldsAndRevalidatesTheWhole", async () => {
    const g = await create({ name: "p", description: "first" });
    const res = await gw.call(`/api/groups/${g.id}`, { method: "PATCH", json: { enabled: false, sort: 3 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "p", description: "first", enabled: false, sort: 3 });
    await refused(await gw.call(`/api/groups/${g.id}`, { method: "PATCH", json: { upstreams: [] } }), 400, "upstreams");
    expect(events).toEqual([
      { kind: "group-changed", groupId: g.id },
      { kind: "group-changed", groupId: g.id },
    ]);
  });

  it("acceptsAnAggregateGroupOfSameTypeMembersWithoutUpstreams", async () => {
    const a = await create({ name: "a" });
    const b = await create({ name: "b" });
    const agg = await create({ name: "agg", upstreams: [], sub_groups: [{ group_id: a.id, weight: 2 }, { group_id: b.id, weight: 1 }] });
    expect(agg.sub_groups).toEqual([{ group_id: a.id, weight: 2 }, { group_id: b.id, weight: 1 }]);
  });

  it("refusesBadAggregateMembers", async () => {
    const a = await create({ name: "a" });
    const claude = await create({ name: "claude", channel_type: "anthropic" });
    const agg = await create({ name: "agg", upstreams: [], sub_groups: [{ group_id: a.id, weight: 1 }] });
    const post = (sub_groups: unknown) => gw.call("/api/groups", { method: "POST", json: { ...base, name: "agg2", upstreams: [], sub_groups } });
    expect((await refused(await post([{ group_id: claude.id, weight: 1 }]), 400, "sub_groups.0.group_id")).message).toContain("anthropic");
    expect((await refused(await post([{ group_id: agg.id, weight: 1 }]), 400, "sub_groups.0.group_id")).message).toContain("aggregate");
    await refused(await post([{ group_id: a.id, weight: 1 }, { group_id: a.id, weight: 1 }]), 400, "sub_groups.1.group_id");
    await refused(await post([{ group_id: a.id, weight: 0 }]), 400, "sub_groups");
    await refused(await gw.call(`/api/groups/${agg.id}`, { method: "PATCH", json: { sub_groups: [{ group_id: agg.id, weight: 1 }] } }), 400, "sub_groups.0.group_id");
    // A member cannot become an aggregate, nor change type away from its aggregate.
    await refused(await gw.call(`/api/groups/${a.id}`, { method: "PATCH", json: { sub_groups: [{ group_id: claude.id, weight: 1 }] } }), 400);
    await refused(await gw.call(`/api/groups/${a.id}`, { method: "PATCH", json: { channel_type: "gemini" } }), 400, "channel_type");
  });

  it("refusesToDeleteAGroupUsedAsASubGroupWith409", async () => {
    const a = await create({ name: "a" });
    const agg = await create({ name: "agg", upstreams: [], sub_groups: [{ group_id: a.id, weight: 1 }] });
    const error = await refused(await gw.call(`/api/groups/${a.id}`, { method: "DELETE" }), 409);
    expect(error.message).toContain('"agg"');
    expect((await gw.call(`/api/groups/${agg.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await gw.call(`/api/groups/${a.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("deletesAGroupWithItsKeysAndPublishesGroupDeleted", async () => {
    const a = await create({ name: "a" });
    await gw.call(`/api/groups/${a.id}/keys`, { method: "POST", json: { keys: "key-000000001" } });
    events.length = 0;
    const res = await gw.call(`/api/groups/${a.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(events).toEqual([{ kind: "group-deleted", groupId: a.id }]);
    expect(gw.gateway.store.sqlite.query("SELECT count(*) AS n FROM api_keys").get()).toEqual({ n: 0 });
    expect((await gw.call(`/api/groups/${a.id}`)).status).toBe(404);
  });
});
