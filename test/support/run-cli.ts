// Runs one poolgate CLI subcommand (`bun src/main.ts ...`) to completion in a clean environment,
// optionally feeding stdin, and answers its exit code and output. Kills it after a deadline so a
// hung command fails the test instead of stalling the run.

import { cleanEnv, MAIN_SOURCE } from "../e2e/spawn-gateway.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: Record<string, string>, options: { stdin?: string; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const proc = Bun.spawn(["bun", MAIN_SOURCE, ...args], {
    cwd: options.cwd,
    env: cleanEnv(env),
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
