import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
let events: ChangeEvent[];
let groupId: number;
beforeEach(async () => {
  gw = startTestGateway();
  const res = await gw.call("/api/groups", { method: "POST", json: { name: "g", channel_type: "openai", upstreams: [{ url: "https://a.example", weight: 1 }] } });
  groupId = ((await res.json()) as { id: number }).id;
  events = [];
  gw.gateway.bus.subscribe((e) => events.push(e));
});
afterEach(() => gw.close());

type AccessKey = { id: number; name: string; secret?: string; display_prefix: string; group_ids: number[]; enabled: boolean; expires_at: number | null; rpm_limit: number | null; requests: number; last_used_at: number | null; created_at: number };

const create = async (json: Record<string, unknown>) => {
  const res = await gw.call("/api/access-keys", { method: "POST", json });
  return { status: res.status, body: (await res.json()) as AccessKey & { error?: { field: string } } };
};

describe("admin/access-keys", () => {
  it("createsAKeyAndReturnsItsSecretOnlyOnce", async () => {
    const { status, body } = await create({ name: "app one", group_ids: [groupId], rpm_limit: 60 });
    expect(status).toBe(201);
    expect(body.secret).toMatch(/^pk-[A-Za-z0-9_-]{43}$/);
    expect(body.display_prefix).toBe(`${body.secret!.slice(0, 7)}…${body.secret!.slice(-4)}`);
    expect(body).toMatchObject({ name: "app one", group_ids: [groupId], enabled: true, expires_at: null, rpm_limit: 60, requests: 0, last_used_at: null });
    expect(events).toEqual([{ kind: "access-keys-changed" }]);

    const listed = (await (await gw.call("/api/access-keys")).json()) as { items: AccessKey[]; total: number };
    expect(listed.total).toBe(1);
    expect(listed.items[0]!.secret).toBeUndefined();
    expect(JSON.stringify(listed)).not.toContain(body.secret!.slice(7, 30));
    const row = gw.gateway.store.sqlite.query("SELECT secret_hash FROM access_keys").get() as { secret_hash: string };
    expect(row.secret_hash).toBe(gw.gateway.box.hash(body.secret!));
  });

  it("acceptsExpiryAsEpochMsOrIsoAndRefusesPastOrGarbage", async () => {
    const future = Date.now() + 86_400_000;
    expect((await create({ name: "a", expires_at: future })).body.expires_at).toBe(future);
    expect((await create({ name: "b", expires_at: "2999-01-01T00:00:00Z" })).body.expires_at).toBe(Date.parse("2999-01-01T00:00:00Z"));
    for (const expires_at of ["2001-01-01", "tomorrow", true, -5]) {
      const { status, body } = await create({ name: "c", expires_at });
      expect(status).toBe(400);
      expect(body.error!.field).toBe("expires_at");
    }
  });

  it("refusesUnknownGroupsAndBadFields", async () => {
    expect((await create({ name: "x", group_ids: [groupId, 999] })).body.error!.field).toBe("group_ids");
    expect((await create({})).body.error!.field).toBe("name");
    expect((await create({ name: "   " })).body.error!.field).toBe("name");
    expect((await create({ name: "x", rpm_limit: -1 })).status).toBe(400);
    expect((await create({ name: "x", group_ids: "all" })).status).toBe(400);
  });

  it("patchesNameScopeLimitExpiryAndEnabled", async () => {
    const { body } = await create({ name: "before" });
    const res = await gw.call(`/api/access-keys/${body.id}`, { method: "PATCH", json: { name: "after", group_ids: [groupId], rpm_limit: 0, enabled: false, expires_at: null } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: body.id, name: "after", group_ids: [groupId], rpm_limit: null, enabled: false, expires_at: null, display_prefix: body.display_prefix });
    expect(events).toHaveLength(2);
    expect((await gw.call(`/api/access-keys/${body.id}`, { method: "PATCH", json: { enabled: "no" } })).status).toBe(400);
    expect((await gw.call("/api/access-keys/999", { method: "PATCH", json: { enabled: true } })).status).toBe(404);
  });

  it("deletesAKeyWith204And404sAfter", async () => {
    const { body } = await create({ name: "gone" });
    expect((await gw.call(`/api/access-keys/${body.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await gw.call(`/api/access-keys/${body.id}`, { method: "DELETE" })).status).toBe(404);
    expect(events).toEqual([{ kind: "access-keys-changed" }, { kind: "access-keys-changed" }]);
  });
});
