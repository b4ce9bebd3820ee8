// Opens the local poolgate database for CLI commands the way `serve` does: settings from the
// environment and flags, DATA_DIR, migrations, and the encryption key (given, or the one in
// DATA_DIR). A dry run writes nothing: it works inside a transaction that is rolled back.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseConfig, type Config } from "../config/env.ts";
import { migrateSqlite } from "../store/migrate.ts";
import { openSqlite, type OpenedStore } from "../store/open.ts";
import { ensureDataDir, loadOrCreateSecret, readSecretFile } from "../store/secret-files.ts";
import { openSecretBox, SecretBox } from "../store/secrets.ts";
import { CliError, EXIT_FAILURE } from "./cli-error.ts";

export type Env = Record<string, string | undefined>;

/** The validated process settings; a bad value is a usage error naming the variable. */
export function loadCliConfig(configArgv: readonly string[], env: Env): Config {
  const result = parseConfig(env, configArgv, false);
  if (!result.ok) throw new CliError(result.errors.map((e) => e.message).join("; "));
  return result.config;
}

export interface LocalStore extends Pick<OpenedStore, "db" | "sqlite"> {
  box: SecretBox;
  /** True when there was no database yet and a dry run works on an empty one in memory. */
  fresh: boolean;
  close(): void;
}

export interface OpenLocalOptions {
  /** Work inside a transaction that close() rolls back; never create files. */
  dryRun?: boolean;
  /** Refuse (exit 1) when there is no database yet, instead of creating one. */
  mustExist?: boolean;
}

export function openLocalStore(config: Config, options: OpenLocalOptions = {}): LocalStore {
  const exists = existsSync(config.databaseUrl);
  if (options.mustExist && !exists) {
    throw new CliError(`no poolgate database at ${config.databaseUrl}; start poolgate once (or run poolgate migrate) first`, EXIT_FAILURE);
  }
  if (options.dryRun && !exists) {
    const store = openSqlite(":memory:");
    migrateSqlite(store.sqlite);
    const box = new SecretBox(randomBytes(32).toString("base64url"), randomBytes(32));
    return { db: store.db, sqlite: store.sqlite, box, fresh: true, close: () => store.sqlite.close() };
  }
  if (!options.dryRun) ensureDataDir(config.dataDir);
  const encryptionKey = options.dryRun ? existingEncryptionKey(config) : loadOrCreateSecret(config.dataDir, "encryption.key", config.encryptionKey, "").value;
  const store = openSqlite(config.databaseUrl);
  try {
    if (options.dryRun) store.sqlite.exec("BEGIN IMMEDIATE");
    migrateSqlite(store.sqlite);
    const box = openSecretBox(store.sqlite, encryptionKey ?? throwawayKeyIfNothingEncrypted(store, config));
    return {
      db: store.db,
      sqlite: store.sqlite,
      box,
      fresh: false,
      close() {
        if (options.dryRun && store.sqlite.inTransaction) store.sqlite.exec("ROLLBACK");
        store.close();
      },
    };
  } catch (error) {
    if (store.sqlite.inTransaction) store.sqlite.exec("ROLLBACK");
    store.close();
    throw error;
  }
}

function existingEncryptionKey(config: Config): string | undefined {
  return config.encryptionKey || readSecretFile(join(config.dataDir, "encryption.key"));
}

/** A dry run on a database that never stored a secret (e.g. only migrated) needs no real key. */
function throwawayKeyIfNothingEncrypted(store: OpenedStore, config: Config): string {
  if (store.sqlite.query("SELECT 1 FROM install_meta WHERE key = 'encryption_salt'").get()) {
    throw new CliError(`no ENCRYPTION_KEY given and none stored in ${join(config.dataDir, "encryption.key")}`, EXIT_FAILURE);
  }
  return randomBytes(32).toString("base64url");
}
