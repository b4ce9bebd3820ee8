import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { parseKeyList } from "../../src/admin/keys.ts";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
let events: ChangeEvent[];
let groupId: number;

beforeEach(async () => {
  gw = startTestGateway();
  const res = await gw.call("/api/groups", {
    method: "POST",
    json: { name: "main", channel_type: "openai", upstreams: [{ url: "https://api.example.com", weight: 1 }] },
  });
  groupId = ((await res.json()) as { id: number }).id;
  events = [];
  gw.gateway.bus.subscribe((e) => events.push(e));
});
afterEach(() => gw.close());

type KeyItem = { id: number; masked: string; status: string; reason: string | null; cooldown_until: number | null; requests: number; failures: number; last_used_at: number | null; notes: string };
type KeyList = { items: KeyItem[]; total: number };

const importKeys = async (keys: unknown, id = groupId) => {
  const res = await gw.call(`/api/groups/${id}/keys`, { method: "POST", json: { keys } });
  return { status: res.status, body: (await res.json()) as { added: number; duplicates: number; rejected: number } };
};
const list = async (query = "") => (await (await gw.call(`/api/groups/${groupId}/keys${query}`)).json()) as KeyList;
const exportText = async (query = "") => (await gw.call(`/api/groups/${groupId}/keys/export${query}`)).text();

describe("admin/keys", () => {
  it("splitsKeyTextOnNewlinesCommasSpacesAndSemicolonsOrReadsAJsonArray", () => {
    expect(parseKeyList("a1\nb2,c3 d4;e5\r\n\tf6").keys).toEqual(["a1", "b2", "c3", "d4", "e5", "f6"]);
    expect(parseKeyList('["x1", "x2", "x1"]')).toEqual({ keys: ["x1", "x2"], repeated: 1, rejected: 0 });
    expect(parseKeyList(["y1", "", 5, "y\u0001z", "z".repeat(1001), "y1"])).toEqual({ keys: ["y1"], repeated: 1, rejected: 4 });
    expect(parseKeyList("[not json, k2").keys).toEqual(["[not", "json", "k2"]);
    expect(() => parseKeyList(42)).toThrow();
  });

  it("importsKeysAndCountsAddedDuplicatesAndRejected", async () => {
    const first = await importKeys("sk-key-000001\nsk-key-000002, sk-key-000001;sk-key-000003");
    expect(first).toEqual({ status: 200, body: { added: 3, duplicates: 1, rejected: 0 } });
    expect(events).toEqual([{ kind: "keys-changed", groupId }]);
    const second = await importKeys(["sk-key-000003", "sk-key-000004", "", "bad\u0007key", "x".repeat(1001)]);
    expect(second.body).toEqual({ added: 1, duplicates: 1, rejected: 3 });
    expect((await list()).total).toBe(4);
  });

  it("publishesNothingWhenNothingWasAdded", async () => {
    await importKeys("sk-key-000001");
    events.length = 0;
    expect((await importKeys("sk-key-000001")).body).toEqual({ added: 0, duplicates: 1, rejected: 0 });
    expect(events).toEqual([]);
  });

  it("keepsTheSameKeySeparatelyInTwoGroups", async () => {
    const res = await gw.call("/api/groups", { method: "POST", json: { name: "second", channel_type: "openai", upstreams: [{ url: "https://b.example", weight: 1 }] } });
    const second = ((await res.json()) as { id: number }).id;
    expect((await importKeys("sk-shared-0001")).body.added).toBe(1);
    expect((await importKeys("sk-shared-0001", second)).body.added).toBe(1);
  });

  it("refusesBadImportInput", async () => {
    const bad = async (json: unknown, status: number, field?: string) => {
      const res = await gw.call(`/api/groups/${groupId}/keys`, { method: "POST", json });
      expect(res.status).toBe(status);
      if (field) expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    };
    await bad({}, 400, "keys");
    await bad({ keys: 42 }, 400, "keys");
    await bad({ keys: { a: 1 } }, 400, "keys");
    const missing = await gw.call("/api/groups/999/keys", { method: "POST", json: { keys: "sk-abc-12345" } });
    expect(missing.status).toBe(404);
  });

  it("refusesKeysForAnAggregateGroup", async () => {
    const res = await gw.call("/api/groups", { method: "POST", json: { name: "agg", channel_type: "openai", upstreams: [], sub_groups: [{ group_id: groupId, weight: 1 }] } });
    const agg = ((await res.json()) as { id: number }).id;
    expect((await importKeys("sk-key-000001", agg)).status).toBe(400);
  });

  it("listsKeysMaskedWithTheirStateAndPages", async () => {
    await importKeys(Array.from({ length: 25 }, (_, i) => `sk-list-${String(i).padStart(6, "0")}`).concat("short"));
    const page1 = await list("?page=1&page_size=10");
    expect(page1.total).toBe(26);
    expect(page1.items).toHaveLength(10);
    expect(page1.items[0]).toEqual({ id: page1.items[0]!.id, masked: "sk-l…0000", status: "active", reason: null, cooldown_until: null, requests: 0, failures: 0, last_used_at: null, notes: "" });
    const page3 = await list("?page=3&page_size=10");
    expect(page3.items).toHaveLength(6);
    expect(page3.items.at(-1)!.masked).toBe("…rt");
    expect(JSON.stringify(page1)).not.toContain("sk-list-000000");
  });

  it("findsKeysByMaskedFormNotesOrTheWholeKey", async () => {
    await importKeys("sk-find-aaaa1111 sk-find-bbbb2222 sk-find-cccc3333");
    const all = await list();
    await gw.call(`/api/keys/${all.items[2]!.id}`, { method: "PATCH", json: { notes: "team blue 50%" } });
    expect((await list("?q=2222")).items.map((k) => k.masked)).toEqual(["sk-f…2222"]);
    expect((await list("?q=sk-find-aaaa1111")).items.map((k) => k.masked)).toEqual(["sk-f…1111"]);
    expect((await list("?q=blue")).items.map((k) => k.notes)).toEqual(["team blue 50%"]);
    expect((await list("?q=50%25")).total).toBe(1);
    expect((await list("?q=_")).total).toBe(0);
    expect((await list("?q=nothing-like-it")).total).toBe(0);
  });

  it("filtersByStatusAndRefusesAnUnknownStatus", async () => {
    await importKeys("sk-stat-000001 sk-stat-000002");
    const [a] = (await list()).items;
    await gw.call(`/api/keys/${a!.id}`, { method: "PATCH", json: { status: "disabled" } });
    expect((await list("?status=disabled")).items.map((k) => k.id)).toEqual([a!.id]);
    expect((await list("?status=active")).total).toBe(1);
    const bad = await gw.call(`/api/groups/${groupId}/keys?status=dead`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("status");
    expect((await gw.call(`/api/groups/${groupId}/keys?page=0`)).status).toBe(400);
    expect((await gw.call(`/api/groups/${groupId}/keys?page_size=5000`)).status).toBe(400);
  });

  it("patchesAKeyStatusToActiveOrDisabledOnlyAndItsNotes", async () => {
    await importKeys("sk-patch-000001");
    const [k] = (await list()).items;
    events.length = 0;
    const res = await gw.call(`/api/keys/${k!.id}`, { method: "PATCH", json: { status: "disabled", notes: "paused" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: k!.id, group_id: groupId, status: "disabled", notes: "paused" });
    expect(events).toEqual([{ kind: "keys-changed", groupId }]);
    expect((await gw.call(`/api/keys/${k!.id}`, { method: "PATCH", json: { status: "invalid" } })).status).toBe(400);
    expect((await gw.call(`/api/keys/${k!.id}`, { method: "PATCH", json: {} })).status).toBe(400);
    expect((await gw.call(`/api/keys/${k!.id}`, { method: "PATCH", json: { notes: 5 } })).status).toBe(400);
    expect((await gw.call("/api/keys/99999", { method: "PATCH", json: { status: "active" } })).status).toBe(404);
  });

  it("restoresInvalidAndCoolingKeysToActive", async () => {
    await importKeys("sk-rest-000001 sk-rest-000002 sk-rest-000003 sk-rest-000004");
    const ids = (await list()).items.map((k) => k.id);
    const sqlite = gw.gateway.store.sqlite;
    sqlite.query("UPDATE api_keys SET status = 'invalid', reason = '401 bad key' WHERE id = ?").run(ids[0]!);
    sqlite.query("UPDATE api_keys SET status = 'cooldown', cooldown_until = 99999999999999 WHERE id = ?").run(ids[1]!);
    sqlite.query("UPDATE api_keys SET status = 'disabled' WHERE id = ?").run(ids[2]!);
    events.length = 0;
    const res = await gw.call(`/api/groups/${groupId}/keys/restore`, { method: "POST" });
    expect(await res.json()).toEqual({ restored: 2 });
    expect(events).toEqual([{ kind: "keys-changed", groupId }]);
    const statuses = (await list()).items.map((k) => [k.status, k.reason, k.cooldown_until]);
    expect(statuses).toEqual([["active", null, null], ["active", null, null], ["disabled", null, null], ["active", null, null]]);
  });

  it("deletesKeysByIdByValueOrByStatus", async () => {
    await importKeys("sk-del-000001 sk-del-000002 sk-del-000003 sk-del-000004 sk-del-000005");
    const ids = (await list()).items.map((k) => k.id);
    await gw.call(`/api/keys/${ids[4]}`, { method: "PATCH", json: { status: "disabled" } });
    events.length = 0;
    const del = async (json: unknown) => (await (await gw.call(`/api/groups/${groupId}/keys`, { method: "DELETE", json })).json()) as { deleted: number };
    expect(await del({ ids: [ids[0]!, 999999] })).toEqual({ deleted: 1 });
    expect(await del({ keys: "sk-del-000002\nsk-del-000003\nsk-not-there" })).toEqual({ deleted: 2 });
    expect(await del({ status: "disabled" })).toEqual({ deleted: 1 });
    expect((await list()).items.map((k) => k.id)).toEqual([ids[3]!]);
    expect(events).toHaveLength(3);
    const none = await gw.call(`/api/groups/${groupId}/keys`, { method: "DELETE", json: {} });
    expect(none.status).toBe(400);
    expect((await gw.call(`/api/groups/${groupId}/keys`, { method: "DELETE", json: { ids: "all" } })).status).toBe(400);
  });

  it("exportsExactlyTheImportedKeysAsPlainText", async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `sk-exp-${i}-${crypto.randomUUID()}`);
    await importKeys(keys.join("\n"));
    const res = await gw.call(`/api/groups/${groupId}/keys/export`);
    expect(res.headers.get("content-type")).toStartWith("text/plain");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    expect(text.trimEnd().split("\n")).toEqual(keys);
    const [first] = (await list()).items;
    await gw.call(`/api/keys/${first!.id}`, { method: "PATCH", json: { status: "disabled" } });
    expect(await exportText("?status=disabled")).toBe(`${keys[0]}\n`);
    expect(await exportText("?status=invalid")).toBe("");
  });

  it("imports100000KeysThroughTheApiAndListsThem", async () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `sk-bulk-${i.toString(36).padStart(6, "0")}-${"x".repeat(30)}`);
    const res = await importKeys(keys.join("\n"));
    expect(res.body).toEqual({ added: 100_000, duplicates: 0, rejected: 0 });
    const page1 = await list("?page=1&page_size=100");
    expect(page1.total).toBe(100_000);
    expect(page1.items).toHaveLength(100);
    expect((await list("?page=1000&page_size=100")).items.at(-1)!.masked).toBe(`sk-b…xxxx`);
    expect((await list(`?q=${keys[77_777]}`)).total).toBe(1);
    const again = await importKeys([...keys.slice(0, 10), "sk-bulk-new-one-0001"]);
    expect(again.body).toEqual({ added: 1, duplicates: 10, rejected: 0 });
    const groups = (await (await gw.call("/api/groups")).json()) as { items: { key_counts: { total: number } }[] };
    expect(groups.items[0]!.key_counts.total).toBe(100_001);
  }, 60_000);
});
