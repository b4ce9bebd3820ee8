// Thread entry of the request-log writer (started by store/log-writer-thread.ts; its own entry
// point in the compiled binary, deploy/build.ts). It holds a second SQLite connection to the
// gateway's database file and writes each posted batch in one transaction, so the proxy's event
// loop never waits on index upkeep. Every message gets exactly one answer, in order.

import type { Database } from "bun:sqlite";
import { openSqlite } from "./open.ts";
import { createLogWriter, type RequestLogEntry } from "./repos/logs.ts";
import type { WriterReply, WriterRequest } from "./log-writer-thread.ts";

declare const self: Worker;

let sqlite: Database | undefined;
let write: ((batch: RequestLogEntry[]) => void) | undefined;

const reply = (message: WriterReply) => self.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const message = event.data;
  try {
    switch (message.kind) {
      case "open":
        sqlite = openSqlite(message.path).sqlite;
        write = createLogWriter(sqlite);
        return reply({ kind: "ok" });
      case "write":
        if (write === undefined) throw new Error("log writer is not open");
        write(JSON.parse(message.json) as RequestLogEntry[]);
        return reply({ kind: "ok" });
      case "close":
        sqlite?.close();
        sqlite = write = undefined;
        return reply({ kind: "ok" });
    }
  } catch (error) {
    reply({ kind: "failed", error: describe(error) });
  }
};
