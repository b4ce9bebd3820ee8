// Thread entry of the request-log writer (started by store/log-writer-thread.ts; its own entry
// point in the compiled binary, deploy/build.ts). It holds a second SQLite connection to the
// gateway's database file and writes each posted batch in one transaction, then folds the new
// rows into hourly_stats (exactly once, by watermark); retention deletes run here too, a batch per
// message. So the proxy's event loop never runs the index upkeep of inserts, rollups or deletes.
// Every message gets exactly one answer, in order.

import type { Database } from "bun:sqlite";
import { openSqlite } from "./open.ts";
import { createLogRowWriter, pruneLogsBatch, type LogValues } from "./repos/logs.ts";
import { pruneStatsBatch, rollupPending } from "./repos/stats.ts";
import type { WriterReply, WriterRequest } from "./log-writer-thread.ts";

declare const self: Worker;

let sqlite: Database | undefined;
let write: ((rows: readonly LogValues[]) => void) | undefined;

const reply = (message: WriterReply) => self.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function opened(): Database {
  if (sqlite === undefined) throw new Error("log writer is not open");
  return sqlite;
}

/** The rows are written either way; a failed rollup is retried with the next batch and only reported. */
function foldIntoStats(db: Database): WriterReply {
  try {
    rollupPending(db, ROLLUP_CHUNK_ROWS);
    return { kind: "ok" };
  } catch (error) {
    return { kind: "ok", warning: `stats rollup failed (retried with the next batch): ${describe(error)}` };
  }
}

/** Log rows folded per transaction when catching up on a backlog (an upgraded database): ~10 ms. */
const ROLLUP_CHUNK_ROWS = 5000;

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const message = event.data;
  try {
    switch (message.kind) {
      case "open":
        sqlite = openSqlite(message.path).sqlite;
        write = createLogRowWriter(sqlite);
        return reply({ kind: "ok" });
      case "write": {
        const db = opened();
        write!(JSON.parse(message.json) as LogValues[]);
        return reply(foldIntoStats(db));
      }
      case "prune-logs":
        return reply({ kind: "ok", count: pruneLogsBatch(opened(), message.before, message.limit) });
      case "prune-stats":
        return reply({ kind: "ok", count: pruneStatsBatch(opened(), message.beforeHour, message.limit) });
      case "close":
        sqlite?.close();
        sqlite = write = undefined;
        return reply({ kind: "ok" });
      default:
        // Still one answer, or the thread's waiters would fall out of step.
        return reply({ kind: "failed", error: `unknown request ${JSON.stringify((message as { kind?: unknown }).kind)}` });
    }
  } catch (error) {
    reply({ kind: "failed", error: describe(error) });
  }
};
