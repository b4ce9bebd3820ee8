// Splits a subcommand's argv into its own flags, its positional arguments and the process
// settings flags (--data-dir, --database-url, ... from config/env.ts) that it passes on to
// parseConfig. Throws CliError (exit 2) for unknown flags and flags missing their value.

import { CONFIG_VARIABLES } from "../config/env.ts";
import { CliError } from "./cli-error.ts";

/** Each own flag of a subcommand and whether it takes a value. */
export type FlagSpec = Record<string, "string" | "boolean">;

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Settings flags with their values, as parseConfig takes them. */
  configArgv: string[];
  help: boolean;
}

const CONFIG_FLAGS = new Set<string>(CONFIG_VARIABLES.map((v) => v.flag));

/** Own flags win over settings flags of the same name (e.g. import-gptload's --encryption-key). */
export function parseCliArgs(argv: readonly string[], spec: FlagSpec, command: string): ParsedArgs {
  const out: ParsedArgs = { flags: {}, positionals: [], configArgv: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      out.help = true;
      continue;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      out.positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const kind = spec[flag];
    const takesValue = kind === "string" || (kind === undefined && CONFIG_FLAGS.has(flag));
    if (kind === undefined && !CONFIG_FLAGS.has(flag)) throw new CliError(`${command}: unknown option ${flag}; run poolgate ${command} --help`);
    if (!takesValue) {
      if (eq !== -1) throw new CliError(`${command}: ${flag} takes no value`);
      out.flags[flag] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) throw new CliError(`${command}: ${flag} needs a value`);
    if (kind) out.flags[flag] = value;
    else out.configArgv.push(flag, value);
  }
  return out;
}

/** A string flag's value, or undefined. */
export function stringFlag(args: ParsedArgs, flag: string): string | undefined {
  const value = args.flags[flag];
  return typeof value === "string" ? value : undefined;
}
