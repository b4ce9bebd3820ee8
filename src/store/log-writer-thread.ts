// The request-log writer thread, seen from the gateway: batches go to a Worker
// (store/log-writer-worker.ts) as one JSON string of rows each (about 0.5 us per entry on the event loop,
// against 10-40 us for writing the row and its indexes here), and each write() settles when its
// batch is in the database. A crashed worker fails what it held and is replaced on the next write.

import { toLogValues, type RequestLogEntry } from "./repos/logs.ts";

export type WriterRequest =
  | { kind: "open"; path: string }
  | { kind: "write"; json: string }
  | { kind: "prune-logs"; before: number; limit: number }
  | { kind: "prune-stats"; beforeHour: number; limit: number }
  | { kind: "close" };
/** `count`: rows a prune deleted. */
export type WriterReply = { kind: "ok"; warning?: string; count?: number } | { kind: "failed"; error: string };

export interface LogWriterThread {
  /** Resolves once the batch is written; rejects when the write failed (the caller counts it dropped). */
  write(batch: readonly RequestLogEntry[]): Promise<void>;
  /** Retention (jobs/prune-logs.ts), queued behind the writes already sent: rows deleted, at most `limit`. */
  pruneLogs(before: number, limit: number): Promise<number>;
  pruneStats(beforeHour: number, limit: number): Promise<number>;
  /** Finishes the writes already sent, closes the connection and ends the thread. */
  close(): Promise<void>;
}

/**
 * In the compiled binary the worker is a second entry point, named relative to src/ (the root of
 * the build's entry points); from source it is the file beside this one.
 */
const WORKER_ENTRY = Bun.main.startsWith("/$bunfs/")
  ? "./store/log-writer-worker.ts"
  : new URL("./log-writer-worker.ts", import.meta.url).href;

interface Waiter {
  resolve(count: number): void;
  reject(error: Error): void;
}

export function startLogWriterThread(path: string, onError: (message: string) => void): LogWriterThread {
  let worker: Worker | undefined;
  // Answers come back in the order the requests were posted.
  let waiters: Waiter[] = [];

  const failAll = (message: string) => {
    const failed = waiters;
    waiters = [];
    for (const w of failed) w.reject(new Error(message));
  };

  const request = (message: WriterRequest): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const target = current();
      waiters.push({ resolve, reject });
      target.postMessage(message);
    });

  function current(): Worker {
    if (worker !== undefined) return worker;
    const started = new Worker(WORKER_ENTRY);
    // Never what keeps the process alive: stop() closes it after the last write.
    (started as Worker & { unref(): void }).unref();
    started.onmessage = (event: MessageEvent<WriterReply>) => {
      const waiter = waiters.shift();
      if (event.data.kind === "ok") {
        if (event.data.warning !== undefined) onError(event.data.warning);
        waiter?.resolve(event.data.count ?? 0);
      } else {
        onError(`request log writer: ${event.data.error}`);
        waiter?.reject(new Error(event.data.error));
      }
    };
    started.onerror = (event) => {
      const message = `request log writer thread crashed: ${event.message}`;
      onError(message);
      if (worker === started) worker = undefined;
      started.terminate();
      failAll(message);
    };
    worker = started;
    waiters.push({ resolve: () => {}, reject: () => {} });
    started.postMessage({ kind: "open", path } satisfies WriterRequest);
    return started;
  }

  return {
    write: (batch) => request({ kind: "write", json: JSON.stringify(batch.map(toLogValues)) }).then(() => {}),
    pruneLogs: (before, limit) => request({ kind: "prune-logs", before, limit }),
    pruneStats: (beforeHour, limit) => request({ kind: "prune-stats", beforeHour, limit }),
    async close() {
      if (worker === undefined) return;
      const closing = worker;
      await request({ kind: "close" }).catch(() => {});
      closing.terminate();
      if (worker === closing) worker = undefined;
    },
  };
}
