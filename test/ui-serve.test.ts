// The admin UI handler: cache headers, SPA fallback, reserved prefixes and path safety, from a
// folder on disk and from an embedded file map; and, mounted in the real app, that it never
// shadows /api, /proxy, /metrics, /health or /ready.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, type Gateway } from "../src/app.ts";
import { parseConfig } from "../src/config/env.ts";
import { silentLogger } from "../src/telemetry/logger.ts";
import { cleanPath, createUiHandler, isReservedPath, type UiAssets } from "../src/ui-serve.ts";

const scratch = mkdtempSync(join(tmpdir(), "poolgate-ui-serve-"));
const dist = join(scratch, "dist");
const INDEX = "<!doctype html><title>poolgate</title>";
const SCRIPT = "console.log('app')";

beforeAll(() => {
  mkdirSync(join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "index.html"), INDEX);
  writeFileSync(join(dist, "assets", "index-abc123.js"), SCRIPT);
  writeFileSync(join(dist, "assets", "index-def456.css"), "body{}");
  writeFileSync(join(dist, "robots.txt"), "User-agent: *");
  writeFileSync(join(scratch, "secret.txt"), "do not serve");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const get = (handler: (r: Request) => Promise<Response>, path: string, method = "GET") => handler(new Request(`http://test.local${path}`, { method }));

const sources: [string, () => UiAssets][] = [
  ["directory", () => ({ kind: "directory", root: dist })],
  [
    "embedded",
    () => ({
      kind: "embedded",
      files: new Map([
        ["/index.html", join(dist, "index.html")],
        ["/assets/index-abc123.js", join(dist, "assets", "index-abc123.js")],
        ["/assets/index-def456.css", join(dist, "assets", "index-def456.css")],
        ["/robots.txt", join(dist, "robots.txt")],
      ]),
    }),
  ],
];

describe.each(sources)("ui-serve from %s", (_name, assets) => {
  it("servesHashedAssetsWithAYearLongImmutableCache", async () => {
    const res = await get(createUiHandler(assets()), "/assets/index-abc123.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(await res.text()).toBe(SCRIPT);
    const css = await get(createUiHandler(assets()), "/assets/index-def456.css");
    expect(css.headers.get("content-type")).toContain("text/css");
  });

  it("servesIndexHtmlWithNoCacheAtTheRoot", async () => {
    for (const path of ["/", "/index.html"]) {
      const res = await get(createUiHandler(assets()), path);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(await res.text()).toBe(INDEX);
    }
  });

  it("fallsBackToIndexHtmlForUnknownClientRoutes", async () => {
    for (const path of ["/groups", "/groups/12/keys", "/settings?x=1", "/healthz", "/apis"]) {
      const res = await get(createUiHandler(assets()), path);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toBe(INDEX);
    }
  });

  it("answers404ForAMissingFileInsteadOfTheApp", async () => {
    const res = await get(createUiHandler(assets()), "/assets/index-gone.js");
    expect(res.status).toBe(404);
  });

  it("neverAnswersForTheServersOwnPrefixes", async () => {
    for (const path of ["/api", "/api/groups", "/proxy/g/v1/chat/completions", "/metrics", "/health", "/ready", "/ready/x"]) {
      const res = await get(createUiHandler(assets()), path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("<title>");
    }
  });

  it("refusesPathsThatLeaveTheRoot", async () => {
    for (const path of ["/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt"]) {
      const res = await get(createUiHandler(assets()), path);
      expect(await res.text()).not.toContain("do not serve");
    }
  });

  it("answersHeadWithoutABodyAndRefusesOtherMethods", async () => {
    const head = await get(createUiHandler(assets()), "/assets/index-abc123.js", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-control")).toContain("immutable");
    expect(await head.text()).toBe("");
    expect((await get(createUiHandler(assets()), "/", "POST")).status).toBe(404);
  });
});

describe("ui-serve without a build", () => {
  it("saysHowToBuildTheUiWhenIndexHtmlIsMissing", async () => {
    const res = await get(createUiHandler({ kind: "directory", root: join(scratch, "nothing") }), "/groups");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("bun run build:ui");
  });
});

describe("ui-serve path rules", () => {
  it("treatsOnlyWholePrefixSegmentsAsReserved", () => {
    expect(isReservedPath("/api")).toBe(true);
    expect(isReservedPath("/api/x")).toBe(true);
    expect(isReservedPath("/apix")).toBe(false);
    expect(isReservedPath("/healthz")).toBe(false);
    expect(isReservedPath("/proxy/a/b")).toBe(true);
  });

  it("decodesAndNormalisesPaths", () => {
    expect(cleanPath("/a/./b")).toBe("/a/b");
    expect(cleanPath("/a/%2e%2e/b")).toBe("/b");
    expect(cleanPath("/%E0%A4%A")).toBeNull();
    expect(cleanPath("/a\\b")).toBeNull();
  });
});

describe("ui-serve mounted in the app", () => {
  let gateway: Gateway;
  const dataDir = join(scratch, "data");

  beforeAll(() => {
    const parsed = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: "error" });
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("; "));
    mkdirSync(dataDir, { recursive: true });
    gateway = createGateway({
      config: parsed.config,
      authKey: "test-admin-key-0123456789abcdef",
      encryptionKey: "test-encryption-key-0123456789abcdef",
      logger: silentLogger,
      ui: { kind: "directory", root: dist },
    });
  });
  afterAll(() => gateway.stop());

  const call = (path: string, init?: RequestInit) => gateway.app.handle(new Request(`http://test.local${path}`, init));

  it("servesTheUiAtTheRootAndOnClientRoutes", async () => {
    for (const path of ["/", "/groups/1/keys", "/login"]) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(INDEX);
    }
    const asset = await call("/assets/index-abc123.js");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  it("leavesTheApiProxyHealthReadyAndMetricsToTheirOwnRoutes", async () => {
    const api = await call("/api/groups");
    expect(api.status).toBe(401);
    expect(api.headers.get("content-type")).toContain("application/json");
    const unknownApi = await call("/api/no-such-route");
    expect(await unknownApi.text()).not.toContain("<title>");
    const health = await call("/health");
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    expect((await call("/ready")).status).toBe(200);
    expect(await (await call("/metrics")).text()).not.toContain("<title>");
    const proxy = await call("/proxy/nothing-here/v1/chat/completions", { method: "POST", body: "{}" });
    expect(proxy.status).not.toBe(200);
    expect(await proxy.text()).not.toContain("<title>");
    const proxyGet = await call("/proxy/nothing-here/v1/models");
    expect(await proxyGet.text()).not.toContain("<title>");
  });
});
