// The operator's whole workflow in a real headless Chromium (Debian `chromium`, driven by
// playwright-core) against the compiled binary with its embedded UI: log in, create a group,
// paste 1,000 keys, note a key, create and edit an access key, send traffic to a fake OpenAI upstream, watch the
// dashboard and logs, change a setting, switch theme / language / phone width, log out.
// Screenshots land in test-artifacts/ui/. Without /usr/bin/chromium it skips (fails under CI=true).

import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { buildBinary, cleanEnv, freePort, killLeftoverGateways, REPO_ROOT, spawnGateway, waitForHealth, type SpawnedGateway } from "./spawn-gateway.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === "true";
const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "ui");
const AUTH_KEY = `pg-admin-e2e-${crypto.randomUUID().replaceAll("-", "")}`;
const KEY_COUNT = 1000;
/** Slow shared machines: generous bounds, never timing assertions. */
const STEP_MS = 60_000;
const BUILD_TIMEOUT_MS = 300_000;

setDefaultTimeout(240_000);

if (!HAVE_CHROMIUM) {
  const reason = `${CHROMIUM} is missing (install it with: apt-get update && apt-get install -y chromium)`;
  if (IN_CI) {
    describe("admin UI in Chromium", () => {
      it("needsChromiumInCi", () => {
        throw new Error(`CI=true but ${reason}`);
      });
    });
  } else {
    console.log(`skipping the admin UI browser test: ${reason}`);
  }
}

describe.skipIf(!HAVE_CHROMIUM)("admin UI in Chromium against the compiled binary", () => {
  const scratch = mkdtempSync(join(tmpdir(), "poolgate-ui-e2e-"));
  let gateway: SpawnedGateway;
  let base = "";
  let upstream: ReturnType<typeof Bun.serve>;
  let upstreamCalls = 0;
  let context: BrowserContext;
  let page: Page;
  let accessSecret = "";

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const adminGet = async <T,>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${AUTH_KEY}` } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const nav = async (name: string, heading: RegExp) => {
    await page.getByTestId(`nav-${name}`).click();
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The binary under test: POOLGATE_BINARY when the harness built one, else a fresh build.
    let binary = process.env.POOLGATE_BINARY ?? "";
    if (!binary) {
      binary = join(scratch, "build", "poolgate");
      await buildBinary(binary);
    }
    const home = join(scratch, "install");
    mkdirSync(home);
    copyFileSync(binary, join(home, "poolgate"));
    Bun.spawnSync(["chmod", "+x", join(home, "poolgate")]);

    // A fake OpenAI upstream: answers every chat completion with a fixed reply and usage.
    upstream = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        const path = new URL(request.url).pathname;
        if (path !== "/v1/chat/completions") return Response.json({ error: { message: "not found" } }, { status: 404 });
        upstreamCalls++;
        return Response.json({
          id: `chatcmpl-${upstreamCalls}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: "gpt-e2e",
          choices: [{ index: 0, message: { role: "assistant", content: "pong" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
        });
      },
    });

    const port = freePort();
    gateway = spawnGateway([join(home, "poolgate")], {
      cwd: home,
      env: cleanEnv({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: join(home, "data"), LOG_FORMAT: "json", AUTH_KEY }),
    });
    await gateway.waitForStdout(/"msg":"poolgate listening"/, STEP_MS);
    base = `http://127.0.0.1:${port}`;
    await waitForHealth(`${base}/health`, STEP_MS);

    const { chromium } = await import("playwright-core");
    // A fresh profile folder per run (playwright takes it as launchPersistentContext's first argument).
    context = await chromium.launchPersistentContext(join(scratch, "chromium-profile"), {
      executablePath: CHROMIUM,
      headless: true,
      timeout: STEP_MS,
      viewport: { width: 1280, height: 900 },
      locale: "en-US",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close().catch(() => {});
    gateway?.kill("SIGTERM");
    if (gateway) await gateway.exited(30_000).catch(() => {});
    await killLeftoverGateways();
    upstream?.stop(true);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("walksTheOperatorWorkflowEndToEnd", async () => {
    try {
      await workflow();
    } catch (error) {
      await shot("failure").catch(() => {});
      throw error;
    }
  });

  async function workflow() {
    // Signed out: the app sends the visitor to the login page.
    await page.goto(`${base}/groups`);
    await page.getByTestId("login-key").waitFor();
    await shot("01-login");
    await page.getByTestId("login-key").fill("wrong-key-of-some-length");
    await page.getByTestId("login-submit").click();
    await page.getByTestId("login-error").waitFor();
    await page.getByTestId("login-key").fill(AUTH_KEY);
    await page.getByTestId("login-submit").click();
    // Back where the visitor was headed.
    await page.getByRole("heading", { level: 1, name: /Groups/ }).waitFor();
    await page.waitForURL(`${base}/groups`);

    // Create a group pointing at the fake upstream.
    await page.getByTestId("group-create").click();
    await page.getByTestId("group-form").waitFor();
    await page.getByTestId("group-save").click();
    await page.getByText("Use 1-100 characters of a-z, 0-9, _ or -.").waitFor(); // inline validation
    await page.getByTestId("group-name").fill("e2e");
    await page.getByTestId("group-upstream-0").fill(`http://127.0.0.1:${upstream.port}`);
    await page.getByTestId("group-test-model").fill("gpt-e2e");
    await shot("02-group-form");
    await page.getByTestId("group-save").click();
    await page.getByTestId("group-row-e2e").waitFor();
    await page.getByTestId("group-form").waitFor({ state: "detached" });
    await shot("03-groups");

    // Paste 1,000 keys and watch the import finish.
    await page.getByTestId("group-keys-e2e").click();
    await page.getByTestId("keys-title").filter({ hasText: "e2e" }).waitFor();
    const keys = Array.from({ length: KEY_COUNT }, (_, i) => `sk-e2e-${String(i).padStart(4, "0")}-${crypto.randomUUID().replaceAll("-", "")}`);
    const paste = page.getByTestId("keys-paste");
    if (!(await paste.isVisible())) await page.getByText("Add keys").click();
    await paste.fill(keys.join("\n"));
    await page.getByTestId("keys-import").click();
    await page.getByTestId("import-progress-done").waitFor();
    await page.getByTestId("keys-notice").filter({ hasText: "1,000 added" }).waitFor();
    await page.getByTestId("keys-total").filter({ hasText: "1,000 keys" }).waitFor();
    // Listed and masked: the visible rows show a masked form, never a whole key.
    await page.getByTestId("key-masked").first().waitFor();
    const shown = await page.getByTestId("key-masked").allTextContents();
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(KEY_COUNT); // virtualised: only the rows in view are in the DOM
    for (const text of shown) {
      expect(text).toMatch(/^sk-e…[0-9a-f]{4}$/);
      expect(keys).not.toContain(text);
    }
    const bodyText = await page.locator("body").innerText();
    for (const key of keys.slice(0, 50)) expect(bodyText).not.toContain(key);
    await shot("04-keys");
    // A key's note, edited in place and stored.
    await page.getByTestId("key-notes").first().click();
    await page.getByTestId("key-notes-input").fill("e2e-note");
    await page.getByTestId("key-notes-input").press("Enter");
    await page.getByTestId("key-notes").filter({ hasText: "e2e-note" }).waitFor();
    const groupId = (await adminGet<{ items: { id: number; name: string }[] }>("/api/groups")).items.find((g) => g.name === "e2e")!.id;
    expect((await adminGet<{ total: number }>(`/api/groups/${groupId}/keys?q=e2e-note`)).total).toBe(1);
    // Validate them all against the fake upstream, with progress.
    await page.getByTestId("keys-validate").click();
    await page.getByTestId("validate-progress-done").waitFor();
    await page.getByTestId("keys-notice").filter({ hasText: "1,000 valid" }).waitFor();
    // Scrolling far down fetches the page that holds those rows.
    await page.locator(".vtable-scroll").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('[aria-rowindex="1001"] [data-testid="key-masked"]').waitFor();

    // An access key, created in the UI; its secret is shown once.
    await nav("accessKeys", /Access keys/);
    await page.getByTestId("access-name").fill("e2e-client");
    await page.getByTestId("access-create").click();
    await page.getByTestId("access-secret-panel").waitFor();
    accessSecret = (await page.getByTestId("access-secret").textContent())?.trim() ?? "";
    expect(accessSecret).toMatch(/^pk-/);
    await page.getByTestId("access-row-e2e-client").waitFor();
    await shot("05-access-keys");
    // Edit its RPM limit: a bad value is refused inline, a good one is saved.
    await page.getByTestId("access-open-e2e-client").click();
    await page.getByTestId("access-edit").waitFor();
    await page.getByTestId("access-edit-rpm").fill("12.5");
    await page.getByTestId("access-edit-save").click();
    await page.getByTestId("access-edit").getByText("A whole number from 0 to 1,000,000.").waitFor();
    await page.getByTestId("access-edit-rpm").fill("120");
    await page.getByTestId("access-edit-save").click();
    await page.getByTestId("access-edit").waitFor({ state: "detached" });
    await page.getByTestId("access-row-e2e-client").getByTestId("access-rpm").filter({ hasText: "120" }).waitFor();
    const edited = await adminGet<{ items: { name: string; rpm_limit: number | null }[] }>("/api/access-keys");
    expect(edited.items.find((k) => k.name === "e2e-client")?.rpm_limit).toBe(120);

    // Traffic through the proxy with that access key.
    const sent = 6;
    const callsBefore = upstreamCalls;
    for (let i = 0; i < sent; i++) {
      const res = await fetch(`${base}/proxy/e2e/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${accessSecret}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-e2e", messages: [{ role: "user", content: `ping ${i}` }] }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("pong");
    }
    const refused = await fetch(`${base}/proxy/e2e/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer pk-wrong" }, body: "{}" });
    expect(refused.status).toBe(401);
    expect(upstreamCalls - callsBefore).toBe(sent);
    // The request logs reach the database in batches (about every second): wait until they are there.
    // The refused request is logged too: sent + 1 entries in all.
    const logged = sent + 1;
    await waitFor(async () => (await adminGet<{ total?: number }>("/api/logs?group=e2e")).total! >= logged, "request logs to be written");

    // The dashboard counts them.
    await nav("dashboard", /Dashboard/);
    await page.getByTestId("range-1h").click();
    await page.getByTestId("card-requests-value").filter({ hasText: String(logged) }).waitFor();
    await page.getByTestId("card-success-value").filter({ hasText: "85.7%" }).waitFor();
    await page.getByTestId("card-input-tokens-value").filter({ hasText: String(11 * sent) }).waitFor();
    await page.getByTestId("card-active-keys-value").filter({ hasText: "1,000" }).waitFor();
    await page.getByTestId("chart-requests").locator("canvas").waitFor();
    await shot("06-dashboard");

    // The logs list them; the drawer shows the attempt chain.
    await nav("logs", /Logs/);
    await page.getByTestId("log-row").nth(logged - 1).waitFor();
    await shot("07-logs");
    await page.getByTestId("log-row").filter({ hasText: "200" }).first().click();
    await page.getByTestId("log-detail").waitFor();
    await page.getByTestId("log-attempts").locator("li").first().waitFor();
    expect(await page.getByTestId("log-detail").innerText()).toContain("e2e-client");
    await shot("08-log-detail");
    await page.keyboard.press("Escape");
    await page.getByTestId("log-detail").waitFor({ state: "detached" });

    // A setting: invalid input is refused inline, a valid one is saved and applied.
    await nav("settings", /Settings/);
    const maxAttempts = page.getByTestId("setting-input-max_attempts");
    await maxAttempts.fill("99");
    await page.getByTestId("settings-save").click();
    await page.getByTestId("setting-max_attempts").getByText("At most 20.").waitFor();
    await maxAttempts.fill("4");
    await page.getByTestId("settings-save").click();
    await page.getByTestId("settings-saved").waitFor();
    const settings = await adminGet<{ items: { key: string; value: unknown }[] }>("/api/settings");
    expect(settings.items.find((s) => s.key === "max_attempts")?.value).toBe(4);
    await shot("09-settings");

    // Dark theme, Simplified Chinese, phone width.
    await page.getByTestId("theme-toggle").click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await nav("dashboard", /Dashboard/);
    await page.getByTestId("card-requests-value").filter({ hasText: String(logged) }).waitFor();
    await shot("10-dashboard-dark");
    await page.getByTestId("locale").selectOption("zh-CN");
    await page.getByTestId("nav-groups").filter({ hasText: "分组" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    await page.setViewportSize({ width: 390, height: 844 });
    await nav("groups", /分组/);
    await shot("11-groups-phone-zh");
    await page.getByTestId("locale").selectOption("en");
    await page.setViewportSize({ width: 1280, height: 900 });

    // Log out: the session is gone, protected pages lead back to the login.
    await page.getByTestId("logout").click();
    await page.getByTestId("login-key").waitFor();
    await page.goto(`${base}/settings`);
    await page.getByTestId("login-key").waitFor();
    await page.waitForURL(/\/login\?next=%2Fsettings/);
    await shot("12-logged-out");
  }
});

/** Polls a condition (a server-side fact, not a clock) until it holds; fails after a generous bound. */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = STEP_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
