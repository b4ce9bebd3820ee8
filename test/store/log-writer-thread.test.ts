// The request-log writer thread: batches written in order by the worker's own connection and
// visible to the gateway's and folded into hourly_stats, a failed write reported instead of lost,
// and close() finishing the writes already sent.

import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLogWriterThread, type LogWriterThread } from "../../src/store/log-writer-thread.ts";
import { migrateSqlite } from "../../src/store/migrate.ts";
import { openSqlite, type OpenedStore } from "../../src/store/open.ts";
import { startTestGateway } from "../support/gateway.ts";
import { logEntry } from "../support/log-entries.ts";

let dir: string;
let store: OpenedStore;
let thread: LogWriterThread;
let errors: string[];

function open(path = join(dir, "poolgate.db")): void {
  errors = [];
  thread = startLogWriterThread(path, (message) => errors.push(message));
}

function setUp(): void {
  dir = mkdtempSync(join(tmpdir(), "poolgate-log-writer-"));
  store = openSqlite(join(dir, "poolgate.db"));
  migrateSqlite(store.sqlite);
}

afterEach(async () => {
  await thread.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const requestIds = () => (store.sqlite.query("SELECT request_id FROM request_logs ORDER BY id").all() as { request_id: string }[]).map((r) => r.request_id);

describe("log writer thread", () => {
  it("writesEachBatchInOrderWhereTheGatewaysConnectionSeesIt", async () => {
    setUp();
    open();
    const first = thread.write([logEntry({ requestId: "a" }), logEntry({ requestId: "b" })]);
    const second = thread.write([logEntry({ requestId: "c" })]);
    await Promise.all([first, second]);
    expect(requestIds()).toEqual(["a", "b", "c"]);
    expect(errors).toEqual([]);
    // Folded into hourly_stats by the thread, right after each batch.
    const stats = store.sqlite.query("SELECT sum(requests) AS requests, sum(input_tokens) AS input FROM hourly_stats").get();
    expect(stats).toEqual({ requests: 3, input: 30 });
  });

  it("rejectsAWriteTheDatabaseRefusesAndKeepsWritingAfterIt", async () => {
    setUp();
    open();
    const broken = logEntry({ requestId: "x" }) as unknown as Record<string, unknown>;
    broken.groupName = null; // group_name is NOT NULL
    await expect(thread.write([broken as never])).rejects.toThrow("NOT NULL");
    expect(errors[0]).toContain("request log writer: ");
    await thread.write([logEntry({ requestId: "after" })]);
    expect(requestIds()).toEqual(["after"]);
  });

  it("rejectsEveryWriteWhenTheDatabaseCannotBeOpened", async () => {
    setUp();
    open(join(dir, "missing", "nested", "poolgate.db"));
    await expect(thread.write([logEntry()])).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
  });

  it("finishesTheWritesAlreadySentWhenClosed", async () => {
    setUp();
    open();
    const writes = Array.from({ length: 20 }, (_, i) => thread.write([logEntry({ requestId: `r${i}` })]));
    await thread.close();
    await Promise.all(writes);
    expect(requestIds()).toHaveLength(20);
  });

  it("takesABurstOf20000RequestLogsThroughAGatewayWithoutDroppingOne", async () => {
    setUp();
    open();
    const gw = startTestGateway();
    try {
      const queue = gw.gateway.logQueue;
      for (let i = 0; i < 20_000; i++) queue.push(logEntry({ requestId: `burst-${i}`, ts: 1_700_000_000_000 + i }));
      await queue.settled();
      expect([queue.written(), queue.dropped(), queue.depth()]).toEqual([20_000, 0, 0]);
      const db = gw.gateway.store.sqlite;
      expect(db.query("SELECT count(*) AS n FROM request_logs").get()).toEqual({ n: 20_000 });
      expect(db.query("SELECT sum(requests) AS n FROM hourly_stats").get()).toEqual({ n: 20_000 });
    } finally {
      await gw.close();
    }
  });
});
