// Runs poolgate as a real child process (from source or the compiled binary) for CLI and e2e
// tests: a free port, a clean environment, and waits on stdout/stderr events with a bounded
// deadline instead of fixed sleeps. It never mocks anything and never leaves a child behind.

import { join } from "node:path";

export const REPO_ROOT = join(import.meta.dir, "..", "..");
export const MAIN_SOURCE = join(REPO_ROOT, "src", "main.ts");

/** Compiles the binary (deploy/build.ts, UI embedded) to `outfile`; throws with the build's output on failure. */
export async function buildBinary(outfile: string): Promise<void> {
  const proc = Bun.spawn([process.execPath, join(REPO_ROOT, "deploy", "build.ts"), "--outfile", outfile], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`build failed (${code}):\n${out}\n${err}`);
}

/** Binds port 0, reads the port the kernel chose, and frees it again for the child to take. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/**
 * The environment a child gets: only PATH/HOME/TMPDIR from ours plus `extra`, so neither the
 * test runner's variables nor the developer's AUTH_KEY or BUN_CONFIG_MAX_HTTP_REQUESTS leak in.
 */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface SpawnedGateway {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it matches `pattern`; rejects when the child exits first or time runs out. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once the child has exited and both streams are read to the end. */
  exited(timeoutMs?: number): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<Bun.Subprocess>();

/**
 * Kills every child still running (a failed assertion skips the test's own SIGTERM). Call it in
 * afterEach; a relaunched server notices its parent is gone and stops within a second.
 */
export async function killLeftoverGateways(): Promise<void> {
  const left = [...running];
  for (const proc of left) proc.kill("SIGKILL");
  await Promise.all(left.map((proc) => proc.exited));
}

export function spawnGateway(cmd: string[], options: { cwd: string; env: Record<string, string> }): SpawnedGateway {
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env: options.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const pump = async (stream: ReadableStream<Uint8Array>, append: (text: string) => void) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      append(decoder.decode(value, { stream: true }));
      notify();
    }
  };
  const drained = Promise.all([pump(proc.stdout, (t) => (out += t)), pump(proc.stderr, (t) => (err += t))]).then(() => {
    notify();
  });
  const finished = Promise.all([proc.exited, drained]).then(([code]) => {
    notify();
    return code;
  });
  const describe = () => `exit=${proc.exitCode ?? proc.signalCode ?? "running"}\n--- stdout\n${out}\n--- stderr\n${err}`;

  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    waitForStdout(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}\n${describe()}`)), timeoutMs);
        const check = () => {
          const match = out.match(pattern);
          if (match) done(undefined, match);
          else if (proc.exitCode !== null || proc.signalCode !== null) done(new Error(`child exited before ${pattern}\n${describe()}`));
        };
        const done = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        listeners.add(check);
        check();
      });
    },
    exited(timeoutMs = 20_000) {
      let timer: Timer | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          proc.kill("SIGKILL");
          reject(new Error(`child did not exit within ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
      });
      return Promise.race([finished, deadline]).finally(() => clearTimeout(timer));
    },
    kill(signal = "SIGTERM") {
      proc.kill(signal);
    },
  };
}

/** Polls `url` until it answers 200 or the deadline passes (the port may open a moment after the log line). */
export async function waitForHealth(url: string, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
      lastError = new Error(`status ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Parses the JSON log line with the given `msg` out of a child's stdout. */
export function findLogLine(stdout: string, msg: string): Record<string, unknown> | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === msg) return entry;
    } catch {
      // not a log line
    }
  }
  return undefined;
}
