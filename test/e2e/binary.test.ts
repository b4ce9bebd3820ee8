// The compiled executable, alone in an empty folder, as a user downloads it: it must migrate a
// fresh database, generate and print the admin key once, guard the admin API with it, raise the
// outbound fetch limit, and stop cleanly on SIGTERM. Builds its own binary with deploy/build.ts.

import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, cleanEnv, findLogLine, freePort, killLeftoverGateways, spawnGateway, waitForHealth } from "./spawn-gateway.ts";

// Each test starts real processes; on a shared, loaded machine that can take seconds.
setDefaultTimeout(30_000);

const BUILD_TIMEOUT_MS = 180_000;
const scratch = mkdtempSync(join(tmpdir(), "poolgate-e2e-"));
const home = join(scratch, "install");
const dataDir = join(home, "data");
let binary = "";

beforeAll(async () => {
  const built = join(scratch, "build", "poolgate");
  await buildBinary(built);
  mkdirSync(home);
  binary = join(home, "poolgate");
  copyFileSync(built, binary);
  rmSync(join(scratch, "build"), { recursive: true, force: true });
}, BUILD_TIMEOUT_MS);

afterEach(killLeftoverGateways);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function start() {
  const port = freePort();
  const child = spawnGateway([binary], {
    cwd: home,
    env: cleanEnv({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_FORMAT: "json" }),
  });
  await child.waitForStdout(/"msg":"poolgate listening"/);
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(`${base}/health`);
  return { child, base };
}

const GENERATED_KEY = /Generated admin key \(AUTH_KEY\): (pg-admin-[A-Za-z0-9_-]+)/g;

describe("compiled binary", () => {
  let adminKey = "";

  it("runsAloneInAnEmptyFolderMigratesAndGuardsTheAdminApi", async () => {
    expect(readdirSync(home)).toEqual(["poolgate"]);
    const { child, base } = await start();

    expect(statSync(join(dataDir, "poolgate.db")).isFile()).toBe(true);
    const printed = [...child.stdout().matchAll(GENERATED_KEY)];
    expect(printed).toHaveLength(1);
    adminKey = printed[0]![1]!;
    expect(readFileSync(join(dataDir, "auth.key"), "utf8").trim()).toBe(adminKey);
    expect(statSync(join(dataDir, "auth.key")).mode & 0o777).toBe(0o600);
    expect(findLogLine(child.stdout(), "poolgate listening")?.max_http_requests).toBe(65535);

    expect((await fetch(`${base}/api/groups`)).status).toBe(401);
    const groups = await fetch(`${base}/api/groups`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(groups.status).toBe(200);

    // Built with development: false: an unknown file is a plain 404, not Bun's debug page. An
    // unknown page path is a client route of the admin UI: its embedded index.html answers.
    const missing = await fetch(`${base}/no-such-file.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type") ?? "").not.toContain("text/html");
    const page = await fetch(`${base}/no-such-page`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    child.kill("SIGTERM");
    expect(await child.exited()).toBe(0);
  });

  it("reusesTheStoredKeyOnASecondStartWithoutPrintingIt", async () => {
    expect(adminKey).not.toBe("");
    const { child, base } = await start();
    expect(child.stdout()).not.toContain("Generated admin key");
    expect(child.stdout()).not.toContain(adminKey);
    const groups = await fetch(`${base}/api/groups`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(groups.status).toBe(200);
    child.kill("SIGTERM");
    expect(await child.exited()).toBe(0);
  });
});
