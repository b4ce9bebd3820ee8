// Builds synthetic RequestLogEntry values for tests of the log, stats and metrics code, and
// writes them through the real createLogWriter (never a hand-written INSERT).

import type { Database } from "bun:sqlite";
import { createLogWriter } from "../../src/store/repos/logs.ts";
import type { RequestLogEntry } from "../../src/telemetry/log-queue.ts";

let seq = 0;

export function logEntry(overrides: Partial<RequestLogEntry> = {}): RequestLogEntry {
  seq++;
  return {
    ts: 1_700_000_000_000,
    requestId: `req-${seq}`,
    groupId: 1,
    groupName: "main",
    subGroupName: null,
    accessKeyId: null,
    accessKeyName: null,
    channel: "openai",
    model: "gpt-4o-mini",
    upstreamModel: null,
    stream: false,
    status: 200,
    errorClass: null,
    error: null,
    durationMs: 120,
    ttfbMs: 40,
    inputTokens: 10,
    outputTokens: 5,
    cachedTokens: 0,
    clientIp: "127.0.0.1",
    userAgent: "test",
    upstreamUrl: "http://upstream.test",
    keyId: 1,
    keyMasked: "sk-a…zzzz",
    attempts: [{ key_id: 1, key_masked: "sk-a…zzzz", upstream: "http://upstream.test", status: 200, error_class: null, duration_ms: 120 }],
    requestBody: null,
    responseBody: null,
    ...overrides,
  };
}

/** Writes entries in batches of 50,000 through the production writer. */
export function writeEntries(sqlite: Database, entries: Iterable<RequestLogEntry>): void {
  const write = createLogWriter(sqlite);
  let batch: RequestLogEntry[] = [];
  for (const e of entries) {
    batch.push(e);
    if (batch.length === 50_000) {
      write(batch);
      batch = [];
    }
  }
  if (batch.length) write(batch);
}
