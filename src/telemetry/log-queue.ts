// The request-log queue: the proxy pushes one entry per client request (no I/O on the hot
// path); app.ts flushes it to the database in batches, by size or on a timer, and on shutdown.
// Bounded: when the database cannot keep up, new entries are dropped and counted, never silently.

import type { AttemptRecord } from "../store/schema.ts";

export interface RequestLogEntry {
  ts: number;
  requestId: string;
  groupId: number | null;
  groupName: string;
  subGroupName: string | null;
  accessKeyId: number | null;
  accessKeyName: string | null;
  channel: string;
  model: string | null;
  upstreamModel: string | null;
  stream: boolean;
  status: number;
  errorClass: string | null;
  error: string | null;
  durationMs: number;
  ttfbMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  clientIp: string | null;
  userAgent: string | null;
  upstreamUrl: string | null;
  keyId: number | null;
  keyMasked: string | null;
  attempts: AttemptRecord[];
  requestBody: string | null;
  responseBody: string | null;
}

export interface LogQueueOptions {
  /** Writes one batch; throws on failure (the batch is then counted as dropped). */
  sink: (batch: RequestLogEntry[]) => void;
  /** Entries held at most; beyond it new entries are dropped and counted. */
  maxEntries?: number;
  /** A push that brings the queue to this size asks for a flush soon. */
  batchSize?: number;
  /** Called when the queue reaches batchSize (app.ts schedules a flush on the next tick). */
  onBatchReady?: () => void;
}

export interface LogQueue {
  push(entry: RequestLogEntry): void;
  /**
   * Writes the oldest `max` entries queued (default: all of them) in one batch; returns how many
   * were written. app.ts flushes in slices so one write never stalls the event loop for long.
   */
  flush(max?: number): number;
  depth(): number;
  dropped(): number;
  written(): number;
}

export function createLogQueue(options: LogQueueOptions): LogQueue {
  const maxEntries = options.maxEntries ?? 100_000;
  const batchSize = options.batchSize ?? 1000;
  let queue: RequestLogEntry[] = [];
  let dropped = 0;
  let written = 0;
  let batchSignalled = false;
  return {
    push(entry) {
      if (queue.length >= maxEntries) {
        dropped++;
        return;
      }
      queue.push(entry);
      if (queue.length >= batchSize && !batchSignalled) {
        batchSignalled = true;
        options.onBatchReady?.();
      }
    },
    flush(max = Infinity) {
      batchSignalled = false;
      if (!queue.length) return 0;
      let batch: RequestLogEntry[];
      if (queue.length <= max) {
        batch = queue;
        queue = [];
      } else {
        batch = queue.splice(0, max);
      }
      try {
        options.sink(batch);
        written += batch.length;
        return batch.length;
      } catch {
        dropped += batch.length;
        return 0;
      }
    },
    depth: () => queue.length,
    dropped: () => dropped,
    written: () => written,
  };
}
