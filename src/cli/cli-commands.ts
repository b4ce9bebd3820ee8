// The registry of CLI subcommands besides serve/migrate/version: name -> one-line summary and
// runner. main.ts dispatches here; each runner returns its exit code. Turns CliError and the
// store's user-facing errors into one line on stderr; anything else propagates to main.ts.

import { DataDirError } from "../store/secret-files.ts";
import { WrongEncryptionKeyError } from "../store/secrets.ts";
import { CliError, EXIT_USAGE } from "./cli-error.ts";
import { doctorCommand } from "./doctor.ts";
import { groupsCommand } from "./groups-command.ts";
import { importGptLoadCommand } from "./import-gptload.ts";
import { keysCommand } from "./keys-command.ts";
import type { Env } from "./local-store.ts";
import { resetAdminKeyCommand } from "./reset-admin-key.ts";
import { serviceCommand } from "./service-command.ts";

type Runner = (argv: readonly string[], env: Env) => Promise<number>;

export const CLI_COMMANDS: Readonly<Record<string, { summary: string; run: Runner }>> = {
  "import-gptload": { summary: "copy groups, keys, proxy keys and settings from GPT-Load", run: importGptLoadCommand },
  keys: { summary: "import or export a group's upstream keys (keys import|export)", run: keysCommand },
  groups: { summary: "list groups with their key counts (groups list)", run: groupsCommand },
  "reset-admin-key": { summary: "replace the admin key in DATA_DIR/auth.key", run: resetAdminKeyCommand },
  doctor: { summary: "check the host, the data dir and the database", run: doctorCommand },
  service: { summary: "install or remove the systemd service (service install|uninstall)", run: serviceCommand },
};

export function isCliCommand(name: string): boolean {
  return Object.hasOwn(CLI_COMMANDS, name);
}

/** Runs a registered subcommand and answers its exit code; user errors become one stderr line. */
export async function runCliCommand(name: string, argv: readonly string[], env: Env): Promise<number> {
  try {
    return await CLI_COMMANDS[name]!.run(argv, env);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`poolgate: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DataDirError || error instanceof WrongEncryptionKeyError) {
      process.stderr.write(`poolgate: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
