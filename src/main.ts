// CLI entry: `poolgate serve` (default), `migrate`, `version`, `--help`.
// Parses argv and the environment (plus ./.env), turns user errors into one clear line and
// exit code 2, and hands a validated Config to app.ts. No stack traces for user errors.

import { existsSync, readFileSync } from "node:fs";
import { CONFIG_VARIABLES, parseConfig, parseDotEnv, weakSecretReasons, type Config } from "./config/env.ts";
import { createGateway } from "./app.ts";
import { migrateSqlite } from "./store/migrate.ts";
import { openSqlite } from "./store/open.ts";
import { DataDirError, ensureDataDir, loadOrCreateSecret } from "./store/secret-files.ts";
import { WrongEncryptionKeyError } from "./store/secrets.ts";
import { createLogger } from "./telemetry/logger.ts";
import { VERSION } from "./version.ts";

const EXIT_USAGE = 2;

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

async function serve(argv: string[]): Promise<void> {
  const config = loadConfig(argv);
  const logger = createLogger(config.logLevel, config.logFormat);
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

  const gateway = createGateway({ config, authKey: auth.value, encryptionKey: encryption.value, logger });
  const port = gateway.listen();
  logger.info("poolgate listening", { url: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`, version: VERSION, data_dir: config.dataDir });

  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) {
      logger.warn("second signal, exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("shutting down", { signal });
    gateway.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
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

async function main(args: string[]): Promise<void> {
  const [first, ...rest] = args;
  const command = first && !first.startsWith("-") ? first : "serve";
  const options = command === first ? rest : args;
  if (options.includes("--help") || options.includes("-h") || command === "help") {
    process.stdout.write(usage());
    return;
  }
  switch (command) {
    case "serve":
      return serve(options);
    case "migrate":
      return migrate(options);
    case "version":
      console.log(VERSION);
      return;
    default:
      throw new UserError(`unknown command "${command}"; run poolgate --help`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UserError || error instanceof DataDirError || error instanceof WrongEncryptionKeyError) {
    process.stderr.write(`poolgate: ${error.message}\n`);
    process.exit(EXIT_USAGE);
  }
  process.stderr.write(`poolgate: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
