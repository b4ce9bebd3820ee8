// `poolgate reset-admin-key`: writes a new random admin key to DATA_DIR/auth.key (mode 0600)
// and prints it once. Refuses when AUTH_KEY is set in the environment (or .env), because that
// value would win over the file; it must be changed where it is set.

import { join } from "node:path";
import { ensureDataDir, generateSecret, writeSecretFile } from "../store/secret-files.ts";
import { parseCliArgs } from "./cli-args.ts";
import { CliError } from "./cli-error.ts";
import { loadCliConfig, type Env } from "./local-store.ts";

export const RESET_ADMIN_KEY_HELP = `Usage: poolgate reset-admin-key [--data-dir DIR]

Replaces the admin key stored in DATA_DIR/auth.key with a new random one (mode 0600) and prints
it once. Restart poolgate for it to take effect; the old key stops working then. Refuses when
AUTH_KEY is set in the environment or .env: change it there instead.

Exit codes: 0 done, 2 AUTH_KEY is set or usage error.
`;

export async function resetAdminKeyCommand(argv: readonly string[], env: Env): Promise<number> {
  const args = parseCliArgs(argv, {}, "reset-admin-key");
  if (args.help) {
    process.stdout.write(RESET_ADMIN_KEY_HELP);
    return 0;
  }
  if (args.positionals.length) throw new CliError(`reset-admin-key: unexpected argument "${args.positionals[0]}"`);
  if (args.configArgv.includes("--auth-key")) throw new CliError("reset-admin-key: --auth-key makes no sense here; the new key is generated");
  const config = loadCliConfig(args.configArgv, env);
  if (config.authKey) {
    throw new CliError("reset-admin-key: AUTH_KEY is set in the environment (or .env) and wins over DATA_DIR/auth.key; change AUTH_KEY where it is set (e.g. /etc/poolgate/env) instead");
  }
  ensureDataDir(config.dataDir);
  const path = join(config.dataDir, "auth.key");
  const key = generateSecret("pg-admin-");
  writeSecretFile(path, key);
  process.stdout.write(`New admin key (AUTH_KEY): ${key}\nStored in ${path} (mode 0600); it is not shown again. Restart poolgate for it to take effect.\n`);
  return 0;
}
