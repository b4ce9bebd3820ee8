// A gateway listening on a real port for proxy tests (SDKs need a URL), plus the admin calls
// those tests make: create a group, import keys, create an access key, change settings. Request
// logs are read straight from the in-memory queue by flushing it into the test's database.
// useProxyGateway registers the lifecycle most proxy test files share (gateway + fake upstreams).

import { afterAll, beforeAll, beforeEach } from "bun:test";
import { startFakeUpstream, type FakeUpstream, type ReplyScript } from "./fake-upstream.ts";
import { startTestGateway, type TestGateway } from "./gateway.ts";

export interface ProxyGateway extends TestGateway {
  base: string;
  createGroup(body: Record<string, unknown>): Promise<number>;
  patchGroup(id: number, body: Record<string, unknown>): Promise<void>;
  addKeys(groupId: number, keys: string[]): Promise<void>;
  createAccessKey(body?: Record<string, unknown>): Promise<{ id: number; secret: string }>;
  patchSettings(body: Record<string, unknown>): Promise<void>;
  /** Flushes the log queue and returns the request logs, oldest first. */
  logs(): Promise<LogRow[]>;
}

export interface LogRow {
  request_id: string;
  group_name: string;
  sub_group_name: string | null;
  status: number;
  error_class: string | null;
  error: string | null;
  model: string | null;
  upstream_model: string | null;
  stream: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  key_id: number | null;
  attempts: string;
}

async function ok(res: Promise<Response>, what: string): Promise<any> {
  const r = await res;
  const text = await r.text();
  if (!r.ok) throw new Error(`${what} failed: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function startProxyGateway(env: Record<string, string> = {}): ProxyGateway {
  const tg = startTestGateway(env);
  const port = tg.gateway.listen(0);
  return {
    ...tg,
    base: `http://127.0.0.1:${port}`,
    async createGroup(body) {
      const row = await ok(tg.call("/api/groups", { method: "POST", json: body }), "create group");
      return row.id as number;
    },
    async patchGroup(id, body) {
      await ok(tg.call(`/api/groups/${id}`, { method: "PATCH", json: body }), "patch group");
    },
    async addKeys(groupId, keys) {
      await ok(tg.call(`/api/groups/${groupId}/keys`, { method: "POST", json: { keys } }), "import keys");
    },
    async createAccessKey(body = {}) {
      const row = await ok(tg.call("/api/access-keys", { method: "POST", json: { name: "test", ...body } }), "create access key");
      return { id: row.id, secret: row.secret };
    },
    async patchSettings(body) {
      await ok(tg.call("/api/settings", { method: "PATCH", json: body }), "patch settings");
    },
    async logs() {
      await tg.gateway.logQueue.settled();
      return tg.gateway.store.sqlite.query("SELECT * FROM request_logs ORDER BY id").all() as LogRow[];
    },
  };
}

export interface ProxyRig {
  gw: ProxyGateway;
  upstreams: FakeUpstream[];
  /** Present when `accessKey` named one. */
  access?: { id: number; secret: string };
}

/**
 * Registers, in the current scope, the hooks most proxy tests share: beforeAll starts a gateway
 * and `upstreams` fake upstreams (default 1, answering `reply`), creates an access key when
 * `accessKey` names one, then hands everything to `ready`; beforeEach resets the upstreams
 * (unless `reset: false`); afterAll closes the upstreams and then the gateway.
 */
export function useProxyGateway(
  options: { upstreams?: number; reply?: ReplyScript; accessKey?: string; reset?: boolean },
  ready: (rig: ProxyRig) => void | Promise<void>,
): void {
  let rig: ProxyRig | undefined;
  beforeAll(async () => {
    const gw = startProxyGateway();
    rig = { gw, upstreams: Array.from({ length: options.upstreams ?? 1 }, () => startFakeUpstream(options.reply)) };
    if (options.accessKey !== undefined) rig.access = await gw.createAccessKey({ name: options.accessKey });
    await ready(rig);
  });
  afterAll(async () => {
    if (!rig) return;
    for (const up of rig.upstreams) await up.close();
    await rig.gw.close();
  });
  if (options.reset !== false) {
    beforeEach(() => {
      for (const up of rig?.upstreams ?? []) up.reset();
    });
  }
}
