// First-start secrets: when AUTH_KEY / ENCRYPTION_KEY are not given, generate strong ones,
// store them in DATA_DIR with mode 0600 and reuse them on later starts. Also checks that
// DATA_DIR exists and is writable, so a bad DATA_DIR fails early with a clear message.

import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class DataDirError extends Error {}

export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK | constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new DataDirError(`DATA_DIR "${dataDir}" is not a writable folder (${code})`);
  }
}

export interface LoadedSecret {
  value: string;
  /** "env" when given, "file" when read from DATA_DIR, "generated" when created now. */
  source: "env" | "file" | "generated";
  path: string;
}

/** Returns the given secret, else the one stored in DATA_DIR/<fileName>, else a new one written there. */
export function loadOrCreateSecret(dataDir: string, fileName: string, given: string | undefined, prefix: string): LoadedSecret {
  const path = join(dataDir, fileName);
  if (given) return { value: given, source: "env", path };
  const stored = readSecretFile(path);
  if (stored) return { value: stored, source: "file", path };
  const value = generateSecret(prefix);
  writeSecretFile(path, value);
  return { value, source: "generated", path };
}

/** The secret stored at `path` (trimmed), or undefined when the file is missing or empty. */
export function readSecretFile(path: string): string | undefined {
  return (existsSync(path) ? readFileSync(path, "utf8").trim() : "") || undefined;
}

/** Writes a secret to `path` with mode 0600, also when the file existed with wider permissions. */
export function writeSecretFile(path: string, value: string): void {
  writeFileSync(path, value + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function generateSecret(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}
