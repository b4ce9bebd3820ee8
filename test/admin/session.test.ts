import { afterEach, describe, expect, it } from "bun:test";
import { startTestGateway, TEST_AUTH_KEY, type TestGateway } from "../support/gateway.ts";

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

function sessionCookie(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  return header.split(";")[0]!;
}

const login = (g: TestGateway, authKey: string) => g.call("/api/auth/login", { method: "POST", auth: false, json: { auth_key: authKey } });

describe("admin/session", () => {
  it("setsAnHttpOnlyStrictSessionCookieOnLoginThatAuthenticatesLaterCalls", async () => {
    gw = startTestGateway();
    const res = await login(gw, TEST_AUTH_KEY);
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/api");
    expect(setCookie).toContain(`Max-Age=${12 * 3600}`);
    expect(setCookie).not.toContain(TEST_AUTH_KEY);
    const body = (await res.json()) as { authenticated: boolean; expires_at: number };
    expect(body.authenticated).toBe(true);

    const cookie = sessionCookie(res);
    const me = await gw.call("/api/auth/me", { auth: false, headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ authenticated: true, via: "session", expires_at: body.expires_at, admin_key_weak: true });
    expect((await gw.call("/api/groups", { auth: false, headers: { cookie } })).status).toBe(200);
  });

  it("reportsBearerCallersThroughMe", async () => {
    gw = startTestGateway();
    const me = await gw.call("/api/auth/me");
    // The test admin key starts with "test", a common pattern: the UI is told to warn.
    expect(await me.json()).toEqual({ authenticated: true, via: "bearer", expires_at: null, admin_key_weak: true });
  });

  it("takesTheSessionLifetimeFromTheSessionTtlHoursSetting", async () => {
    gw = startTestGateway();
    expect((await gw.call("/api/settings", { method: "PATCH", json: { session_ttl_hours: 2 } })).status).toBe(200);
    const res = await login(gw, TEST_AUTH_KEY);
    expect(res.headers.get("set-cookie")).toContain(`Max-Age=${2 * 3600}`);
    const { expires_at } = (await res.json()) as { expires_at: number };
    expect(expires_at - Date.now()).toBeGreaterThan(2 * 3600_000 - 60_000);
    expect(expires_at - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
  });

  it("refusesAWrongOrTamperedCookie", async () => {
    gw = startTestGateway();
    const cookie = sessionCookie(await login(gw, TEST_AUTH_KEY));
    const [name, token] = cookie.split("=") as [string, string];
    const [expires, nonce, mac] = token.split(".") as [string, string, string];
    const forged = [
      `${name}=garbage`,
      `${name}=${Number(expires) + 1000}.${nonce}.${mac}`,
      `${name}=${expires}.${nonce}x.${mac}`,
      `${name}=${expires}.${nonce}.${mac.slice(0, -2)}AA`,
      `other=${token}`,
    ];
    for (const c of forged) {
      const res = await gw.call("/api/groups", { auth: false, headers: { cookie: c } });
      expect(res.status, c).toBe(401);
    }
  });

  it("logoutClearsTheCookieAndRevokesThatSession", async () => {
    gw = startTestGateway();
    const cookie = sessionCookie(await login(gw, TEST_AUTH_KEY));
    const out = await gw.call("/api/auth/logout", { method: "POST", auth: false, headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await gw.call("/api/groups", { auth: false, headers: { cookie } })).status).toBe(401);
    expect((await gw.call("/api/auth/me", { auth: false, headers: { cookie } })).status).toBe(401);
    // Another session stays valid.
    const other = sessionCookie(await login(gw, TEST_AUTH_KEY));
    expect((await gw.call("/api/groups", { auth: false, headers: { cookie: other } })).status).toBe(200);
  });

  it("answersAWrongKeyWith401AndAMissingOneWith400", async () => {
    gw = startTestGateway();
    const wrong = await login(gw, "not-the-key");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const missing = await gw.call("/api/auth/login", { method: "POST", auth: false, json: {} });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { field: string } }).error.field).toBe("auth_key");
  });

  it("slowsDownRepeatedFailedLoginsWith429AndRetryAfter", async () => {
    gw = startTestGateway();
    for (let i = 0; i < 5; i++) expect((await login(gw, `wrong-${i}`)).status).toBe(401);
    const limited = await login(gw, "wrong-again");
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    // Even the right key waits; Bearer scripts are not affected.
    expect((await login(gw, TEST_AUTH_KEY)).status).toBe(429);
    expect((await gw.call("/api/groups")).status).toBe(200);
  });
});
