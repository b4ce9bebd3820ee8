// Opens the SQLite database with the pragmas a single-writer gateway needs and wraps it
// in drizzle. Only app.ts, CLI commands and the log writer thread (store/log-writer-worker.ts, its
// own connection) call this; everything else gets the handle passed in.

import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

export interface OpenedStore {
  db: Db;
  sqlite: Database;
  close(): void;
}

export function openSqlite(path: string): OpenedStore {
  const sqlite = new Database(path, { create: true, strict: true });
  // First, so every later statement waits for the other connection's lock instead of failing.
  // The wait blocks the thread: the log writer thread (store/log-writer-thread.ts) holds the lock
  // for one batch, a few ms. Writes that read first use BEGIN IMMEDIATE: a deferred transaction
  // cannot wait its way out of a snapshot the other connection has since written past.
  sqlite.exec("PRAGMA busy_timeout = 5000");
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA temp_store = MEMORY");
  const db = drizzle({ client: sqlite, schema }) as Db;
  return {
    db,
    sqlite,
    close() {
      try {
        sqlite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } finally {
        sqlite.close();
      }
    },
  };
}
