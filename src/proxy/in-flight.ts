// The data plane's shutdown drain: keeps serving through a grace period, closes the listener, lets
// in-flight requests and streams finish up to a deadline, then aborts the rest (the client
// connections close, which aborts their upstream calls) and names the shutdown in their log entries.
// It does not own the server or the queues: app.ts passes the server in and flushes afterwards.

/** What the drain needs of a Bun server: `stop(false)` resolves once every in-flight response (streams too) has ended. */
export interface DrainableServer {
  stop(closeActiveConnections?: boolean): Promise<void>;
  readonly pendingRequests: number;
}

export interface DrainOptions {
  /** Keep accepting this long after the node turned not-ready (a load balancer's polling interval). */
  graceMs: number;
  /** After the listener closed, how long in-flight requests may take before they are aborted. */
  timeoutMs: number;
  /** Called once the listener is closed: a successor process now gets every new connection. */
  onListenerClosed?: () => void;
}

export type DrainResult = { kind: "drained" } | { kind: "aborted"; pending: number };

/** Fields of a request log entry the drain rewrites for requests it aborted. */
export interface LabelledEntry {
  errorClass: string | null;
  error: string | null;
}

export interface ShutdownDrain {
  drain(server: DrainableServer, options: DrainOptions): Promise<DrainResult>;
  /**
   * Applied to every log entry as it is pushed (a log-queue observer): once the drain aborts, an
   * entry that ends as "client-gone" was cut by the shutdown, not by its client, and says so.
   */
  label(entry: LabelledEntry): void;
}

/** The longest wait, after aborting, for the aborted requests to write their log entries. */
const SETTLE_MS = 2000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createShutdownDrain(): ShutdownDrain {
  let aborting = false;
  let timeoutMs = 0;
  return {
    async drain(server, options) {
      timeoutMs = options.timeoutMs;
      if (options.graceMs > 0) await delay(options.graceMs);
      const finished = server.stop(false).then(() => "drained" as const);
      options.onListenerClosed?.();
      let timer: Timer | undefined;
      const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs)));
      const first = await Promise.race([finished, deadline]);
      clearTimeout(timer);
      if (first === "drained") return { kind: "drained" };
      const pending = server.pendingRequests;
      aborting = true;
      await server.stop(true);
      // The aborted requests end through abort events and stream cancels; give them a moment to log.
      const settleBy = Date.now() + SETTLE_MS;
      while (server.pendingRequests > 0 && Date.now() < settleBy) await delay(10);
      await delay(0);
      return { kind: "aborted", pending };
    },
    label(entry) {
      if (aborting && entry.errorClass === "client-gone") {
        entry.errorClass = "shutdown";
        entry.error = `aborted by the shutdown: still running after shutdown_timeout_ms (${timeoutMs} ms)`;
      }
    },
  };
}
