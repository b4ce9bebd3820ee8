import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Elysia } from "elysia";
import { createAdminPlugin } from "../../src/admin/plugin.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway;
beforeAll(() => {
  gw = startTestGateway();
});
afterAll(() => gw.close());

async function errorOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
  expect(typeof body.error.code).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(5);
  return body.error;
}

const ROUTES: [string, string][] = [
  ["GET", "/api/groups"],
  ["POST", "/api/groups"],
  ["GET", "/api/groups/1"],
  ["PATCH", "/api/groups/1"],
  ["DELETE", "/api/groups/1"],
  ["GET", "/api/groups/1/keys"],
  ["POST", "/api/groups/1/keys"],
  ["DELETE", "/api/groups/1/keys"],
  ["POST", "/api/groups/1/keys/restore"],
  ["GET", "/api/groups/1/keys/export"],
  ["PATCH", "/api/keys/1"],
  ["GET", "/api/access-keys"],
  ["POST", "/api/access-keys"],
  ["PATCH", "/api/access-keys/1"],
  ["DELETE", "/api/access-keys/1"],
  ["GET", "/api/settings"],
  ["PATCH", "/api/settings"],
  ["GET", "/api/auth/me"],
  ["GET", "/api/no-such-route"],
];

describe("admin/plugin", () => {
  it("answersEveryProtectedRouteWith401InTheErrorShapeWithoutAuth", async () => {
    for (const [method, path] of ROUTES) {
      const json = method === "GET" || method === "DELETE" ? undefined : { name: "x" };
      const res = await gw.call(path, { method, auth: false, json });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect((await errorOf(res)).code).toBe("unauthorized");
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  it("refusesAWrongBearerTokenAndAMalformedAuthorizationHeader", async () => {
    for (const authorization of ["Bearer wrong-key", "Basic dGVzdA==", "Bearer", `Bearer ${"x".repeat(5000)}`]) {
      const res = await gw.call("/api/groups", { headers: { authorization } });
      expect(res.status).toBe(401);
      await errorOf(res);
    }
  });

  it("refusesAnUnauthenticatedBodyBeforeReadingItEvenWhenItIsNotJson", async () => {
    const res = await gw.call("/api/groups", { method: "POST", auth: false, body: "{not json", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(401);
  });

  it("answersANonJsonBodyWith400InvalidJson", async () => {
    const res = await gw.call("/api/groups", { method: "POST", body: "{nope", headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_json");
    const form = await gw.call("/api/access-keys", { method: "POST", body: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.status).toBe(400);
  });

  it("answersAMissingBodyWith400NamingTheField", async () => {
    const res = await gw.call("/api/groups", { method: "POST" });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.field).toBe("name");
    expect(error.message).toContain("required");
  });

  it("answersAWrongTypeWith400NamingTheField", async () => {
    const res = await gw.call("/api/groups", { method: "POST", json: { name: 5, channel_type: "openai" } });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_request", field: "name", message: "name must be a string" });
    const id = await gw.call("/api/groups/abc");
    expect(id.status).toBe(400);
    expect(await errorOf(id)).toMatchObject({ field: "id", message: "id must be a whole number" });
  });

  it("refusesABodyOver50MiBWith413WhileStreamingIt", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 60) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await gw.call("/api/settings", { method: "PATCH", body, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("payload_too_large");
    expect(sent).toBeLessThan(60);
  });

  it("refusesABodyWhoseContentLengthIsOver50MiBWith413", async () => {
    const req = new Request("http://test.local/api/settings", {
      method: "PATCH",
      headers: { authorization: "Bearer test-admin-key-0123456789abcdef", "content-type": "application/json", "content-length": String(51 * 1024 * 1024) },
      body: "{}",
    });
    // Request may rewrite content-length for a string body; only assert when it kept ours.
    if (req.headers.get("content-length") !== String(51 * 1024 * 1024)) return;
    const res = await gw.gateway.app.handle(req);
    expect(res.status).toBe(413);
  });

  it("answersAnUnknownAdminRouteWith404InTheErrorShape", async () => {
    const res = await gw.call("/api/nothing/here", { method: "POST", json: {} });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("not_found");
  });

  it("servesTheOpenApiDocumentWithoutAuth", async () => {
    const res = await gw.call("/api/docs/json", { auth: false });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown>; info: { title: string } };
    expect(doc.info.title).toContain("poolgate");
    expect(Object.keys(doc.paths)).toContain("/api/groups/{id}/keys");
    expect(Object.keys(doc.paths).every((p) => p.startsWith("/api/"))).toBe(true);
    const page = await gw.call("/api/docs", { auth: false });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });

  it("leavesRoutesOutsideApiUntouched", async () => {
    const health = await gw.call("/health", { auth: false });
    expect(health.status).toBe(200);
    const app = new Elysia()
      .use(createAdminPlugin({ ...pluginDeps(gw) }))
      .post("/proxy/*", async ({ request }) => `echo:${await request.text()}`, { parse: "none" })
      .get("/boom", () => {
        throw new Error("plain");
      });
    const echoed = await app.handle(new Request("http://test.local/proxy/x", { method: "POST", body: "not json {", headers: { "content-type": "application/json" } }));
    expect(echoed.status).toBe(200);
    expect(await echoed.text()).toBe("echo:not json {");
    const missing = await app.handle(new Request("http://test.local/elsewhere"));
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('"error"');
  });

  it("reportsLivePoolCountsForAGroupWhenGivenAndCountsRowsOtherwise", async () => {
    const created = await gw.call("/api/groups", { method: "POST", json: { name: "counted", channel_type: "openai", upstreams: [{ url: "https://a.example", weight: 1 }] } });
    const { id } = (await created.json()) as { id: number };
    await gw.call(`/api/groups/${id}/keys`, { method: "POST", json: { keys: "sk-count-00001" } });
    const live = { total: 9, active: 5, cooldown: 2, invalid: 1, disabled: 1 };
    const app = new Elysia().use(createAdminPlugin({ ...pluginDeps(gw), poolCounts: (groupId) => (groupId === id ? live : undefined) }));
    const get = (path: string) => app.handle(new Request(`http://test.local${path}`, { headers: { authorization: "Bearer test-admin-key-0123456789abcdef" } }));
    expect(((await (await get(`/api/groups/${id}`)).json()) as { key_counts: unknown }).key_counts).toEqual(live);
    expect(((await (await gw.call(`/api/groups/${id}`)).json()) as { key_counts: unknown }).key_counts).toEqual({ total: 1, active: 1, cooldown: 0, invalid: 0, disabled: 0 });
  });

  it("hidesInternalErrorsBehindAGeneric500", async () => {
    const deps = pluginDeps(gw);
    const app = new Elysia().use(createAdminPlugin({ ...deps, settings: () => { throw new Error("secret internal detail"); } }));
    const res = await app.handle(new Request("http://test.local/api/settings", { headers: { authorization: "Bearer test-admin-key-0123456789abcdef" } }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret internal detail");
    expect(JSON.parse(text).error.code).toBe("internal_error");
  });
});

function pluginDeps(t: TestGateway) {
  const g = t.gateway;
  return { db: g.store.db, sqlite: g.store.sqlite, box: g.box, bus: g.bus, authKey: "test-admin-key-0123456789abcdef", settings: g.settings };
}
