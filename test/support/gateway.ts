// Starts a real gateway (real SQLite in a fresh temp folder, real migrations) for a test,
// and offers `call()` to send requests through app.handle with or without the admin key.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGateway, type Gateway } from "../../src/app.ts";
import { parseConfig } from "../../src/config/env.ts";
import { silentLogger } from "../../src/telemetry/logger.ts";

export const TEST_AUTH_KEY = "test-admin-key-0123456789abcdef";
export const TEST_ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef";

export interface TestGateway {
  gateway: Gateway;
  dataDir: string;
  /** Sends a request to the app; `auth: false` leaves out the admin bearer token. */
  call(path: string, init?: RequestInit & { json?: unknown; auth?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

/** `now` pins the gateway's clock (time-window tests must not depend on the wall clock). */
export function startTestGateway(env: Record<string, string> = {}, options: { now?: () => number } = {}): TestGateway {
  const dataDir = mkdtempSync(join(tmpdir(), "poolgate-test-"));
  const parsed = parseConfig({ DATA_DIR: dataDir, LOG_LEVEL: "error", ...env });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("; "));
  const gateway = createGateway({
    config: parsed.config,
    authKey: TEST_AUTH_KEY,
    encryptionKey: TEST_ENCRYPTION_KEY,
    logger: silentLogger,
    now: options.now,
  });
  return {
    gateway,
    dataDir,
    call(path, init = {}) {
      const { json, auth = true, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth && !headers.has("authorization")) headers.set("authorization", `Bearer ${TEST_AUTH_KEY}`);
      let body = rest.body;
      if (json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(json);
      }
      return gateway.app.handle(new Request(`http://test.local${path}`, { ...rest, headers, body }));
    },
    async close() {
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
