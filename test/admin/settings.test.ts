import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import type { ChangeEvent } from "../../src/cluster/bus.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
let events: ChangeEvent[];
beforeEach(() => {
  gw = startTestGateway();
  events = [];
  gw.gateway.bus.subscribe((e) => events.push(e));
});
afterEach(() => gw.close());

type Item = { key: string; value: unknown; default: unknown; description: string; type: string; min: number | null; max: number | null; category: string; group_override: boolean };

describe("admin/settings", () => {
  it("listsEverySettingWithItsDefinition", async () => {
    const body = (await (await gw.call("/api/settings")).json()) as { items: Item[]; total: number };
    expect(body.total).toBe(SETTINGS.length);
    expect(body.items.find((s) => s.key === "max_attempts")).toEqual({
      key: "max_attempts",
      value: 3,
      default: 3,
      description: expect.any(String),
      type: "integer",
      min: 1,
      max: 20,
      category: "proxy",
      group_override: true,
    });
  });

  it("appliesAPatchAtOnceAndPublishesSettingsChanged", async () => {
    const res = await gw.call("/api/settings", { method: "PATCH", json: { max_attempts: 7, log_bodies: true, retry_statuses: [502, 503] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Item[] };
    expect(body.items.find((s) => s.key === "max_attempts")!.value).toBe(7);
    expect(gw.gateway.settings()).toMatchObject({ max_attempts: 7, log_bodies: true, retry_statuses: [502, 503] });
    expect(events).toEqual([{ kind: "settings-changed" }]);
  });

  it("savesNothingWhenAnyValueIsInvalidAndNamesIt", async () => {
    for (const [json, field] of [
      [{ max_attempts: 5, request_budget_ms: 1 }, "request_budget_ms"],
      [{ max_attempts: "5" }, "max_attempts"],
      [{ no_such_setting: 1 }, "no_such_setting"],
      [{ log_bodies: "yes" }, "log_bodies"],
      [{ retry_statuses: [99] }, "retry_statuses"],
    ] as const) {
      const res = await gw.call("/api/settings", { method: "PATCH", json });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe(field);
    }
    for (const json of [{}, [], "x", 5]) expect((await gw.call("/api/settings", { method: "PATCH", json })).status).toBe(400);
    expect(gw.gateway.settings().max_attempts).toBe(3);
    expect(events).toEqual([]);
  });

  it("neverReturnsASecretSettingOnlyWhetherItIsSet", async () => {
    const secretOf = async (res: Response) => ((await res.json()) as { items: (Item & { secret?: boolean; is_set?: boolean })[] }).items.find((s) => s.key === "metrics_token")!;
    expect(await secretOf(await gw.call("/api/settings"))).toMatchObject({ value: "", secret: true, is_set: false });
    const patched = await gw.call("/api/settings", { method: "PATCH", json: { metrics_token: "scrape-token-Zq81Lm" } });
    const listed = await gw.call("/api/settings");
    for (const res of [patched, listed]) expect(await secretOf(res)).toMatchObject({ value: "", secret: true, is_set: true });
    expect(gw.gateway.settings().metrics_token).toBe("scrape-token-Zq81Lm");
  });
});
