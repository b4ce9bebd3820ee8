// `poolgate keys import|export`: moves upstream keys between a file (or stdin/stdout) and a
// group in the local database, using the same parsing and repository as the admin API.
// Import prints counts only; export is the one place keys are printed, to stdout alone.

import { parseKeyList } from "../admin/keys.ts";
import { getGroupByName } from "../store/repos/groups.ts";
import { importKeys, keyValueBatches } from "../store/repos/keys.ts";
import { KEY_STATUSES, type KeyStatus } from "../store/schema.ts";
import { parseCliArgs, stringFlag } from "./cli-args.ts";
import { CliError, EXIT_FAILURE } from "./cli-error.ts";
import { loadCliConfig, openLocalStore, type Env, type LocalStore } from "./local-store.ts";
import { createProgressBar, type ProgressStream } from "./progress-bar.ts";

export const KEYS_HELP = `Usage:
  poolgate keys import --group NAME FILE|-     add the keys in FILE (or stdin) to a group
  poolgate keys export --group NAME [--status S]   print a group's keys, one per line

Keys in the input may be separated by newlines, commas, spaces or semicolons, or given as a
JSON array; keys already in the group are skipped. --status is active, cooldown, invalid or
disabled. Works on the local database (DATA_DIR / DATABASE_URL, as for serve; see
poolgate --help); a running poolgate loads the imported keys when restarted.

Exit codes: 0 done, 1 no such group or database, 2 usage error.
`;

const CHUNK = 2000;

export async function keysCommand(argv: readonly string[], env: Env, stderr: ProgressStream = process.stderr): Promise<number> {
  const [action, ...rest] = argv;
  const args = parseCliArgs(rest, { "--group": "string", "--status": "string" }, "keys");
  if (args.help || action === "--help" || action === "-h" || action === "help") {
    process.stdout.write(KEYS_HELP);
    return 0;
  }
  if (action !== "import" && action !== "export") {
    throw new CliError(action ? `keys: unknown action "${action}"; use import or export` : "keys: missing action; use poolgate keys import|export --group NAME");
  }
  const groupName = stringFlag(args, "--group");
  if (!groupName) throw new CliError(`keys ${action}: --group NAME is required`);
  const config = loadCliConfig(args.configArgv, env);

  if (action === "import") {
    if (args.positionals.length !== 1) throw new CliError("keys import: give one FILE, or - to read stdin");
    if (args.flags["--status"] !== undefined) throw new CliError("keys import: --status applies to export only");
    const source = args.positionals[0]!;
    const file = Bun.file(source);
    if (source !== "-" && !(await file.exists())) throw new CliError(`keys import: no such file ${source}`);
    const text = source === "-" ? await Bun.stdin.text() : await file.text();
    return withGroup(config, groupName, (store, groupId) => importFromText(store, groupId, groupName, text, stderr));
  }

  if (args.positionals.length) throw new CliError(`keys export: unexpected argument "${args.positionals[0]}"`);
  const statusText = stringFlag(args, "--status");
  if (statusText !== undefined && !(KEY_STATUSES as readonly string[]).includes(statusText)) {
    throw new CliError(`keys export: --status must be one of ${KEY_STATUSES.join(", ")}`);
  }
  return withGroup(config, groupName, (store, groupId) => {
    for (const batch of keyValueBatches(store.sqlite, store.box, groupId, statusText as KeyStatus | undefined)) {
      process.stdout.write(batch.join("\n") + "\n");
    }
    return 0;
  });
}

function withGroup(config: Parameters<typeof openLocalStore>[0], name: string, work: (store: LocalStore, groupId: number) => number): number {
  const store = openLocalStore(config, { mustExist: true });
  try {
    const group = getGroupByName(store.db, name);
    if (!group) throw new CliError(`no group named "${name}"; see poolgate groups list`, EXIT_FAILURE);
    if (group.subGroups.length) throw new CliError(`"${name}" is an aggregate group and holds no keys; use one of its sub-groups`, EXIT_FAILURE);
    return work(store, group.id);
  } finally {
    store.close();
  }
}

function importFromText(store: LocalStore, groupId: number, groupName: string, text: string, stderr: ProgressStream): number {
  const parsed = parseKeyList(text);
  const progress = createProgressBar("importing keys", parsed.keys.length, stderr);
  let added = 0;
  try {
    for (let i = 0; i < parsed.keys.length; i += CHUNK) {
      const chunk = parsed.keys.slice(i, i + CHUNK);
      added += importKeys(store.sqlite, store.box, groupId, chunk, Date.now());
      progress.advance(chunk.length);
    }
  } finally {
    progress.finish();
  }
  const duplicates = parsed.repeated + parsed.keys.length - added;
  process.stdout.write(`group "${groupName}": ${added} added, ${duplicates} duplicates, ${parsed.rejected} rejected\n`);
  if (added) process.stdout.write("If poolgate is running, restart it to load the new keys.\n");
  return 0;
}
