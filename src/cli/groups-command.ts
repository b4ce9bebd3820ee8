// `poolgate groups list`: the groups of the local database with their channel, proxy path,
// upstreams or sub-groups and key counts by status, as a table or as JSON. Read-only.

import { countKeysByGroup, emptyCounts, listGroups } from "../store/repos/groups.ts";
import { parseCliArgs } from "./cli-args.ts";
import { CliError } from "./cli-error.ts";
import { loadCliConfig, openLocalStore, type Env } from "./local-store.ts";

export const GROUPS_HELP = `Usage: poolgate groups list [--json]

Lists the groups in the local database (DATA_DIR / DATABASE_URL, as for serve): name, channel
type, upstreams (or sub-groups for an aggregate group) and key counts by status.

Exit codes: 0 done, 1 no database, 2 usage error.
`;

export async function groupsCommand(argv: readonly string[], env: Env): Promise<number> {
  const [action, ...rest] = argv;
  const args = parseCliArgs(rest, { "--json": "boolean" }, "groups");
  if (args.help || action === "--help" || action === "-h" || action === "help") {
    process.stdout.write(GROUPS_HELP);
    return 0;
  }
  if (action !== "list") throw new CliError(action ? `groups: unknown action "${action}"; use list` : "groups: missing action; use poolgate groups list");
  if (args.positionals.length) throw new CliError(`groups list: unexpected argument "${args.positionals[0]}"`);
  const store = openLocalStore(loadCliConfig(args.configArgv, env), { mustExist: true });
  try {
    const counts = countKeysByGroup(store.sqlite);
    const groups = listGroups(store.db);
    const names = new Map(groups.map((g) => [g.id, g.name]));
    const rows = groups.map((g) => ({
      id: g.id,
      name: g.name,
      channel_type: g.channelType,
      enabled: g.enabled,
      upstreams: g.upstreams.map((u) => u.url),
      sub_groups: g.subGroups.map((s) => ({ name: names.get(s.group_id) ?? String(s.group_id), weight: s.weight })),
      keys: counts.get(g.id) ?? emptyCounts(),
    }));
    if (args.flags["--json"]) {
      process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    if (!rows.length) {
      process.stdout.write("no groups yet\n");
      return 0;
    }
    const table = [["ID", "NAME", "CHANNEL", "KEYS (active/cooldown/invalid/disabled)", "UPSTREAMS / SUB-GROUPS"]];
    for (const r of rows) {
      const k = r.keys;
      table.push([
        String(r.id),
        r.name + (r.enabled ? "" : " (disabled)"),
        r.channel_type,
        `${k.total} (${k.active}/${k.cooldown}/${k.invalid}/${k.disabled})`,
        r.sub_groups.length ? r.sub_groups.map((s) => `${s.name}:${s.weight}`).join(", ") : r.upstreams.join(", "),
      ]);
    }
    const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
    process.stdout.write(table.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]!))).join("  ")).join("\n") + "\n");
    return 0;
  } finally {
    store.close();
  }
}
