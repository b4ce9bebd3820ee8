// CLI entry: `poolgate serve` (default), `migrate`, `version`, `--help`.
// Parses argv and the environment (plus ./.env), turns user errors into one clear line and
// exit code 2, and hands a validated Config to app.ts. No stack traces for user errors.
// `serve` re-executes itself once to raise Bun's outbound fetch limit (see relaunchWithHttpLimit);
// that first process stays as the supervisor that restarts the server without downtime on SIGHUP.

import { existsSync, readFileSync } from "node:fs";
import { CONFIG_VARIABLES, parseConfig, parseDotEnv, weakSecretReasons, type Config } from "./config/env.ts";
import { createGateway, type Gateway } from "./app.ts";
import { CLI_COMMANDS, isCliCommand, runCliCommand } from "./cli/cli-commands.ts";
import { migrateSqlite } from "./store/migrate.ts";
import { openSqlite } from "./store/open.ts";
import { DataDirError, ensureDataDir, loadOrCreateSecret } from "./store/secret-files.ts";
import { WrongEncryptionKeyError } from "./store/secrets.ts";
import type { UiAssets } from "./ui-serve.ts";
import { portIsTaken, steerNewConnectionsHere } from "./process/reuseport-steer.ts";
import { HANDOVER_GRACE_MS, HANDOVER_VAR, SUPERVISED_VAR, supervise, type ChildMessage, type SignalDecision, type SupervisorMessage } from "./process/supervisor.ts";
import { createLogger } from "./telemetry/logger.ts";
import { VERSION } from "./version.ts";

const EXIT_USAGE = 2;

/**
 * Bun's fetch runs at most 256 outbound requests at once and queues the rest, which would cap a
 * gateway at 256 concurrent upstream calls (streams hold theirs for minutes). The limit is read
 * from BUN_CONFIG_MAX_HTTP_REQUESTS only when the process starts, so `serve` sets it by
 * re-executing itself. 65535 is the most Bun accepts: concurrency is then bounded by the
 * open-file limit and the clients, not by a hidden queue. Set the variable yourself (e.g. in the
 * systemd unit) to skip the extra process or to choose another value.
 */
const MAX_HTTP_REQUESTS_VAR = "BUN_CONFIG_MAX_HTTP_REQUESTS";
const MAX_HTTP_REQUESTS = "65535";
const BUN_DEFAULT_MAX_HTTP_REQUESTS = "256";
/** Tells the relaunched child which process to outlive by no more than a second. */
const PARENT_PID_VAR = "POOLGATE_PARENT_PID";

/** A repeat of the same signal within this window is the same keypress delivered twice. */
const DUPLICATE_SIGNAL_MS = 1000;

class UserError extends Error {}

function usage(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.flag.length + v.env.length + 3));
  return [
    `poolgate ${VERSION} — an AI API gateway with a self-healing key pool`,
    "",
    "Usage: poolgate [command] [options]",
    "",
    "Commands:",
    "  serve      run the gateway (default)",
    "  migrate    apply database migrations and exit",
    "  version    print the version",
    "  help       show this help",
    ...Object.entries(CLI_COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`),
    "  (each takes --help)",
    "",
    "Options (each also an environment variable; .env in the working folder is read):",
    ...CONFIG_VARIABLES.map((v) => `  ${`${v.flag} ${v.env}`.padEnd(width)}  ${v.help} Default: ${v.default}.`),
    "",
  ].join("\n");
}

function environment(): Record<string, string | undefined> {
  // Bun loads ./.env by itself when run from source; the compiled binary reads it here too.
  // Real environment variables win over the file.
  const fromFile = existsSync(".env") ? parseDotEnv(readFileSync(".env", "utf8")) : {};
  return { ...fromFile, ...process.env };
}

function loadConfig(argv: string[]): Config {
  const result = parseConfig(environment(), argv, Boolean(process.stdout.isTTY));
  if (!result.ok) throw new UserError(result.errors.map((e) => e.message).join("\n"));
  return result.config;
}

/** True inside a `bun build --compile` executable, whose own modules live under /$bunfs/ (B:/~BUN/ on Windows). */
function isCompiledBinary(): boolean {
  return Bun.main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(Bun.main);
}

/** The command line that runs this same program again: the binary alone, or bun + its flags + the script. */
function selfCommand(args: string[]): string[] {
  if (isCompiledBinary()) return [process.execPath, ...args];
  return [process.execPath, ...process.execArgv, process.argv[1]!, ...args];
}

/**
 * Runs this program again as a child with BUN_CONFIG_MAX_HTTP_REQUESTS set, forwarding stdio and
 * signals, and exits with the child's code. The child does all the work (and prints a generated
 * admin key, once); this process supervises: SIGHUP replaces the child without downtime
 * (process/supervisor.ts, README "Restarts without downtime").
 */
async function relaunchWithHttpLimit(args: string[], argv: string[]): Promise<never> {
  // A bad option is reported by the child (exit code 2); here the config only chooses the log format.
  const parsed = parseConfig(environment(), argv, Boolean(process.stdout.isTTY));
  const logger = parsed.ok ? createLogger(parsed.config.logLevel, parsed.config.logFormat) : createLogger("info", process.stdout.isTTY ? "pretty" : "json");
  const code = await supervise({
    command: selfCommand(args),
    env: { ...process.env, [MAX_HTTP_REQUESTS_VAR]: MAX_HTTP_REQUESTS, [PARENT_PID_VAR]: String(process.pid) },
    logger,
    decide: createSignalGate(),
  });
  process.exit(code);
}

/**
 * Decides what a shutdown signal means: the first one stops gracefully, a later one exits at once.
 * One Ctrl-C often arrives two or three times within milliseconds: the terminal signals the whole
 * process group, and `bun run` (and our own relaunching parent) forward it as well. A repeat of the
 * same signal inside DUPLICATE_SIGNAL_MS is that echo, not a second request to quit.
 */
export function createSignalGate(): (signal: string, now: number) => SignalDecision {
  let first: { signal: string; at: number } | undefined;
  return (signal, now) => {
    if (!first) {
      first = { signal, at: now };
      return "stop";
    }
    return signal === first.signal && now - first.at < DUPLICATE_SIGNAL_MS ? "ignore" : "exit";
  };
}

async function serve(argv: string[], run: RunOptions): Promise<void> {
  if (!process.env[MAX_HTTP_REQUESTS_VAR]) await relaunchWithHttpLimit(["serve", ...argv], argv);
  const config = loadConfig(argv);
  const logger = createLogger(config.logLevel, config.logFormat);
  const supervised = process.env[SUPERVISED_VAR] === "1" && typeof process.send === "function";
  const handover = supervised && process.env[HANDOVER_VAR] === "1";
  // Handlers go in before the slow part of the start (database, migrations, listen), so a stop
  // request is never met by the default action; before the gateway exists there is nothing to drain.
  let gateway: Gateway | undefined;
  const decide = createSignalGate();
  const onSignal = (signal: string, minGraceMs = 0) => {
    const decision = decide(signal, Date.now());
    if (decision === "ignore") return;
    if (decision === "exit") {
      logger.warn("second signal, exiting now", { signal });
      process.exit(1);
    }
    logger.info("shutting down", { signal });
    if (!gateway) process.exit(0);
    const onListenerClosed = () => {
      logger.info("listener closed; draining in-flight requests", { pid: process.pid });
      tellSupervisor({ kind: "listener-closed" });
    };
    gateway.stop({ onListenerClosed, minGraceMs }).then(
      () => {
        logger.info("stopped", { pid: process.pid });
        process.exit(0);
      },
      (error) => {
        logger.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  watchRelaunchingParent(() => onSignal("SIGTERM"));
  // The supervisor stops a replaced child over IPC, not by signal: such a stop keeps the listener a
  // moment longer so that keep-alive clients learn (Connection: close) to reconnect to the successor.
  process.on("message", (message: SupervisorMessage) => {
    if (message?.kind === "handover-stop") onSignal("SIGTERM", HANDOVER_GRACE_MS);
  });
  // Under the supervisor, SIGHUP is its cue to start a successor; this process just keeps serving
  // (a terminal hangup reaches the whole process group). A lone process has no one to hand over to.
  process.on("SIGHUP", () => {
    if (supervised) logger.debug("SIGHUP: the supervising parent handles restarts");
    else logger.warn("SIGHUP ignored: restarts without downtime need the supervising parent (leave BUN_CONFIG_MAX_HTTP_REQUESTS unset)");
  });

  ensureDataDir(config.dataDir);
  const auth = loadOrCreateSecret(config.dataDir, "auth.key", config.authKey, "pg-admin-");
  const encryption = loadOrCreateSecret(config.dataDir, "encryption.key", config.encryptionKey, "");
  if (auth.source === "generated") {
    // Printed once, on the first start only; later starts read it from the file.
    process.stdout.write(`\n  Generated admin key (AUTH_KEY): ${auth.value}\n  It is stored in ${auth.path} (mode 0600). Keep it safe.\n\n`);
  }
  if (encryption.source === "generated") logger.info("generated encryption key", { path: encryption.path });
  for (const [name, secret] of [["AUTH_KEY", auth], ["ENCRYPTION_KEY", encryption]] as const) {
    const reasons = secret.source === "env" ? weakSecretReasons(secret.value) : [];
    if (reasons.length) logger.warn(`${name} is weak: ${reasons.join(", ")}; use 32+ random characters`);
  }

  // Supervised children share the port (SO_REUSEPORT) so a successor can bind it during a handover.
  const sharePort = supervised && config.port !== 0;
  if (sharePort && !handover && portIsTaken(config.host, config.port)) {
    throw new UserError(`PORT ${config.port} on ${config.host} is already in use by another process`);
  }
  gateway = createGateway({ config, authKey: auth.value, encryptionKey: encryption.value, logger, ui: run.ui });
  const port = gateway.listen(undefined, { sharePort });
  if (sharePort && handover) {
    const steered = steerNewConnectionsHere(port);
    if (!steered.ok) logger.warn("cannot steer new connections to the new process; a few may be reset when the old one closes", { reason: steered.reason });
  }
  logger.info("poolgate listening", {
    url: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`,
    version: VERSION,
    data_dir: config.dataDir,
    max_http_requests: Number(process.env[MAX_HTTP_REQUESTS_VAR] ?? BUN_DEFAULT_MAX_HTTP_REQUESTS),
    pid: process.pid,
  });
  tellSupervisor({ kind: "ready", port });
}

/** Reports to the supervising parent over IPC; a lone process has no channel and says nothing. */
function tellSupervisor(message: ChildMessage): void {
  if (process.env[SUPERVISED_VAR] === "1" && typeof process.send === "function") process.send(message);
}

/**
 * In the relaunched child: if the parent is killed outright (SIGKILL, OOM killer), nothing forwards
 * signals any more and this process would keep the port; once we are re-parented, stop as on SIGTERM.
 */
function watchRelaunchingParent(stop: () => void): void {
  const parent = Number(process.env[PARENT_PID_VAR]);
  delete process.env[PARENT_PID_VAR];
  if (!parent) return;
  const check = () => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  };
  const timer = setInterval(check, 1000);
  timer.unref();
  check(); // the parent may already be gone while we were starting
}

function migrate(argv: string[]): void {
  const config = loadConfig(argv);
  ensureDataDir(config.dataDir);
  const store = openSqlite(config.databaseUrl);
  try {
    const result = migrateSqlite(store.sqlite);
    console.log(result.applied.length ? `applied ${result.applied.join(", ")}` : `database is up to date (${result.total} migrations)`);
  } finally {
    store.close();
  }
}

async function main(args: string[], run: RunOptions): Promise<void> {
  const [first, ...rest] = args;
  const command = first && !first.startsWith("-") ? first : "serve";
  const options = command === first ? rest : args;
  if (isCliCommand(command)) {
    process.exitCode = await runCliCommand(command, options, environment());
    return;
  }
  if (options.includes("--help") || options.includes("-h") || command === "help") {
    process.stdout.write(usage());
    return;
  }
  switch (command) {
    case "serve":
      return serve(options, run);
    case "migrate":
      return migrate(options);
    case "version":
      console.log(VERSION);
      return;
    default:
      throw new UserError(`unknown command "${command}"; run poolgate --help`);
  }
}

export interface RunOptions {
  /** The admin UI's files; the compiled binary's generated entry passes the embedded ones. */
  ui?: UiAssets;
}

/** Runs the CLI with `argv` (without the program name); exits the process on an error. */
export function run(argv: string[], options: RunOptions = {}): void {
  main(argv, options).catch(exitOnError);
}

function exitOnError(error: unknown): never {
  if (error instanceof UserError || error instanceof DataDirError || error instanceof WrongEncryptionKeyError) {
    process.stderr.write(`poolgate: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`poolgate: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}

// Guarded so tests can import createSignalGate; true for `bun src/main.ts`. The compiled binary
// starts from the generated src/binary-entry.gen.ts, which calls run() with the embedded UI.
if (import.meta.main) run(process.argv.slice(2));
