// `poolgate import-gptload`: copies a GPT-Load install (groups, sub-groups, upstreams, mapped
// settings, proxy keys as access keys, upstream keys with their status) into the local poolgate
// database. Idempotent: groups match by name, keys and access keys by keyed hash. Prints counts
// and what it could not map; never prints a key.

import { isDeepStrictEqual } from "node:util";
import { weakSecretReasons } from "../config/env.ts";
import { defaultSettings, type SettingValues } from "../config/settings.ts";
import { ApiError } from "../admin/api-error.ts";
import { checkGroup } from "../admin/group-rules.ts";
import { parseKeyList } from "../admin/keys.ts";
import { insertAccessKey, listAccessKeys } from "../store/repos/access-keys.ts";
import { insertGroup, listGroups, type GroupRow } from "../store/repos/groups.ts";
import { importKeys, type ImportedKeyState } from "../store/repos/keys.ts";
import { loadSettings, saveSettings } from "../store/repos/settings.ts";
import type { SubGroupRef } from "../store/schema.ts";
import { parseCliArgs, stringFlag } from "./cli-args.ts";
import { CliError } from "./cli-error.ts";
import { createGptLoadDecipher, looksEncrypted } from "./gptload-cipher.ts";
import { mapGroup, mapSettings, splitProxyKeys } from "./gptload-mapping.ts";
import { describeSource, readGptLoad, type GptLoadSnapshot, type Row } from "./gptload-source.ts";
import { loadCliConfig, openLocalStore, type Env, type LocalStore } from "./local-store.ts";
import { createProgressBar, type ProgressStream } from "./progress-bar.ts";

export const IMPORT_GPTLOAD_HELP = `Usage: poolgate import-gptload --from <source> [--encryption-key K] [--dry-run]

Copies a GPT-Load install into this poolgate's database (DATA_DIR / DATABASE_URL, as for serve):
groups (standard and aggregate, with sub-group weights), upstreams, model redirects, parameter
overrides, header rules, the group and system settings poolgate has an equivalent for, proxy keys
(as access keys: a group's proxy keys are scoped to that group, the global proxy_keys setting
becomes global access keys) and upstream keys with their status. Running it again adds nothing
that is already there. Keys are never printed.

Options:
  --from SOURCE          GPT-Load's database: a SQLite file (e.g. data/gpt-load.db),
                         postgres://user:pass@host/db or mysql://user:pass@host/db
  --encryption-key K     GPT-Load's ENCRYPTION_KEY, when its keys are stored encrypted
                         (or set GPTLOAD_ENCRYPTION_KEY). poolgate's own ENCRYPTION_KEY comes
                         from the environment or DATA_DIR/encryption.key, as for serve.
  --dry-run              report what would be imported; write nothing
  --data-dir, --database-url   where poolgate's database is (see poolgate --help)

Exit codes: 0 done, 1 the source or the database could not be read, 2 usage error.
`;

const KEY_CHUNK = 2000;

interface Report {
  groups: { added: number; present: number; skipped: number };
  subGroups: number;
  keys: { added: number; present: number; rejected: number; undecryptable: number; skipped: number };
  accessKeys: { added: number; present: number; weak: number };
  settings: { set: number; present: number; keptLocal: number };
  notes: string[];
}

export async function importGptLoadCommand(argv: readonly string[], env: Env, stderr: ProgressStream = process.stderr): Promise<number> {
  const args = parseCliArgs(argv, { "--from": "string", "--encryption-key": "string", "--dry-run": "boolean" }, "import-gptload");
  if (args.help) {
    process.stdout.write(IMPORT_GPTLOAD_HELP);
    return 0;
  }
  if (args.positionals.length) throw new CliError(`import-gptload: unexpected argument "${args.positionals[0]}"; use --from <source>`);
  const from = stringFlag(args, "--from");
  if (!from) throw new CliError("import-gptload: --from is required (a GPT-Load SQLite file, postgres://... or mysql://...)");
  const dryRun = args.flags["--dry-run"] === true;
  const gptLoadKey = stringFlag(args, "--encryption-key") ?? (env.GPTLOAD_ENCRYPTION_KEY || undefined);
  const config = loadCliConfig(args.configArgv, env);

  const snapshot = await readGptLoad(from);
  const decrypt = gptLoadKey ? createGptLoadDecipher(gptLoadKey) : undefined;
  checkKeyEncryption(snapshot.apiKeys, decrypt);

  const store = openLocalStore(config, { dryRun });
  let report: Report;
  try {
    report = runImport(snapshot, store, { decrypt, now: Date.now(), stderr });
  } finally {
    store.close();
  }
  printReport(report, describeSource(from), dryRun);
  return 0;
}

/** Refuses early when the keys are encrypted and no key was given, or the given key opens none. */
function checkKeyEncryption(apiKeys: readonly Row[], decrypt: ((value: string) => string | undefined) | undefined): void {
  const values = apiKeys.map((k) => String(k.key_value ?? "")).filter(Boolean);
  if (!values.length) return;
  const encrypted = values.filter(looksEncrypted);
  if (!decrypt && encrypted.length === values.length) {
    throw new CliError("import-gptload: GPT-Load's keys are stored encrypted; pass its ENCRYPTION_KEY with --encryption-key (or GPTLOAD_ENCRYPTION_KEY)");
  }
  if (decrypt && encrypted.length && encrypted.slice(0, 20).every((v) => decrypt(v) === undefined)) {
    throw new CliError("import-gptload: --encryption-key does not decrypt GPT-Load's keys; give the ENCRYPTION_KEY GPT-Load ran with");
  }
}

/** GPT-Load group id -> the poolgate group it was imported as (or matched by name). */
type GroupIds = Map<number, { id: number; name: string; aggregate: boolean }>;

interface RunOptions {
  decrypt: ((value: string) => string | undefined) | undefined;
  now: number;
  stderr: ProgressStream;
}

function runImport(snapshot: GptLoadSnapshot, store: LocalStore, options: RunOptions): Report {
  const report: Report = {
    groups: { added: 0, present: 0, skipped: 0 },
    subGroups: 0,
    keys: { added: 0, present: 0, rejected: 0, undecryptable: 0, skipped: 0 },
    accessKeys: { added: 0, present: 0, weak: 0 },
    settings: { set: 0, present: 0, keptLocal: 0 },
    notes: [],
  };
  const groupIds = importGroups(snapshot, store, options.now, report);
  importSettings(snapshot, store, options.now, report);
  importAccessKeys(snapshot, store, groupIds, options.now, report);
  importUpstreamKeys(snapshot, store, groupIds, options, report);
  return report;
}

/** Standard groups first, then aggregates (whose members must exist); returns GPT-Load id -> poolgate id. */
function importGroups(snapshot: GptLoadSnapshot, store: LocalStore, now: number, report: Report): GroupIds {
  const all: GroupRow[] = listGroups(store.db);
  const ids: GroupIds = new Map();
  const mapped = snapshot.groups.map(mapGroup);
  const ordered = [...mapped.filter((g) => g.kind === "standard"), ...mapped.filter((g) => g.kind === "aggregate"), ...mapped.filter((g) => g.kind === "skipped")];
  for (const group of ordered) {
    if (group.kind === "skipped") {
      report.groups.skipped++;
      report.notes.push(`group "${group.name}": skipped (${group.reason})`);
      continue;
    }
    report.notes.push(...group.notes);
    const aggregate = group.kind === "aggregate";
    const existing = all.find((g) => g.name === group.values.name);
    if (existing) {
      report.groups.present++;
      ids.set(group.gptLoadId, { id: existing.id, name: existing.name, aggregate: existing.subGroups.length > 0 });
      continue;
    }
    const subGroups = aggregate ? resolveSubGroups(snapshot, group, ids, report) : [];
    try {
      const values = checkGroup({ ...group.values, subGroups }, all);
      const row = insertGroup(store.db, values, now);
      all.push(row);
      ids.set(group.gptLoadId, { id: row.id, name: row.name, aggregate });
      report.groups.added++;
      report.subGroups += subGroups.length;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      report.groups.skipped++;
      report.notes.push(`group "${group.values.name}": skipped (${error.message})`);
    }
  }
  return ids;
}

function resolveSubGroups(snapshot: GptLoadSnapshot, group: { gptLoadId: number; values: { name: string } }, ids: GroupIds, report: Report): SubGroupRef[] {
  const refs: SubGroupRef[] = [];
  for (const link of snapshot.subGroups.filter((s) => Number(s.group_id) === group.gptLoadId)) {
    const member = ids.get(Number(link.sub_group_id));
    if (!member) {
      report.notes.push(`group "${group.values.name}": sub-group ${String(link.sub_group_id)} was not imported; left out`);
      continue;
    }
    const weight = Number(link.weight ?? 0);
    refs.push({ group_id: member.id, weight: Number.isInteger(weight) ? Math.max(0, Math.min(weight, 1000)) : 0 });
  }
  return refs;
}

/** Sets the mapped settings that are still at poolgate's default; ones changed here are kept. */
function importSettings(snapshot: GptLoadSnapshot, store: LocalStore, now: number, report: Report): void {
  const mapped = mapSettings(snapshot.settings.entries());
  report.notes.push(...mapped.notes);
  const current = loadSettings(store.db);
  const defaults = defaultSettings();
  const patch: SettingValues = {};
  for (const [key, value] of Object.entries(mapped.values)) {
    if (isDeepStrictEqual(current[key], value)) report.settings.present++;
    else if (!isDeepStrictEqual(current[key], defaults[key])) {
      report.settings.keptLocal++;
      report.notes.push(`setting ${key}: already changed in poolgate; kept`);
    } else patch[key] = value;
  }
  if (Object.keys(patch).length) saveSettings(store.db, patch, now);
  report.settings.set = Object.keys(patch).length;
}

/** Proxy keys become access keys: global ones for every group, a group's ones scoped to it. */
function importAccessKeys(snapshot: GptLoadSnapshot, store: LocalStore, groupIds: GroupIds, now: number, report: Report): void {
  const wanted = new Map<string, { global: boolean; groups: Map<number, string> }>();
  const want = (secret: string) => wanted.get(secret) ?? wanted.set(secret, { global: false, groups: new Map() }).get(secret)!;
  for (const secret of splitProxyKeys(snapshot.settings.get("proxy_keys"))) want(secret).global = true;
  for (const row of snapshot.groups) {
    const group = groupIds.get(Number(row.id));
    const secrets = splitProxyKeys(row.proxy_keys);
    if (!group) {
      if (secrets.length) report.notes.push(`group "${String(row.name)}": ${secrets.length} proxy key(s) not imported because the group was skipped`);
      continue;
    }
    for (const secret of secrets) want(secret).groups.set(group.id, group.name);
  }
  const known = new Set(listAccessKeys(store.db).map((k) => k.secretHash));
  for (const [secret, scope] of wanted) {
    const hash = store.box.hash(secret);
    if (known.has(hash)) {
      report.accessKeys.present++;
      continue;
    }
    known.add(hash);
    const names = [...scope.groups.values()];
    insertAccessKey(
      store.db,
      {
        name: `gpt-load ${scope.global ? "global" : names.join(", ")}`.slice(0, 100),
        secretHash: hash,
        displayPrefix: displayPrefixOf(secret),
        groupIds: scope.global ? [] : [...scope.groups.keys()],
        enabled: true,
        expiresAt: null,
        rpmLimit: null,
      },
      now,
    );
    report.accessKeys.added++;
    if (weakSecretReasons(secret).length) report.accessKeys.weak++;
  }
  if (report.accessKeys.weak) {
    report.notes.push(`${report.accessKeys.weak} imported access key(s) are weak (short or common); replace them with generated ones when you can`);
  }
}

/** Enough of a user-chosen secret to recognise it, never most of it (they can be short). */
function displayPrefixOf(secret: string): string {
  return secret.length >= 20 ? `${secret.slice(0, 4)}…${secret.slice(-4)}` : `…${secret.slice(-2)}`;
}

function importUpstreamKeys(snapshot: GptLoadSnapshot, store: LocalStore, groupIds: GroupIds, options: RunOptions, report: Report): void {
  const byGroup = new Map<number, Row[]>();
  for (const row of snapshot.apiKeys) {
    const gid = Number(row.group_id);
    (byGroup.get(gid) ?? byGroup.set(gid, []).get(gid)!).push(row);
  }
  const progress = createProgressBar("importing keys", snapshot.apiKeys.length, options.stderr);
  let otherStatuses = 0;
  try {
    for (const [gptLoadGroupId, rows] of byGroup) {
      const target = groupIds.get(gptLoadGroupId);
      if (!target || target.aggregate) {
        report.keys.skipped += rows.length;
        const name = snapshot.groups.find((g) => Number(g.id) === gptLoadGroupId)?.name;
        report.notes.push(`${rows.length} key(s) of ${name ? `group "${String(name)}"` : `missing group ${gptLoadGroupId}`} not imported (${target ? "an aggregate group holds no keys" : "the group was not imported"})`);
        progress.advance(rows.length);
        continue;
      }
      // Keys added now take GPT-Load's state; keys already in the group keep theirs.
      const meta = new Map<string, ImportedKeyState>();
      const plain: string[] = [];
      for (const row of rows) {
        const stored = String(row.key_value ?? "");
        const value = options.decrypt && looksEncrypted(stored) ? options.decrypt(stored) : stored;
        if (value === undefined) {
          report.keys.undecryptable++;
          continue;
        }
        const status = String(row.status ?? "active");
        if (status !== "active" && status !== "invalid") otherStatuses++;
        plain.push(value);
        meta.set(value.trim(), {
          status: status === "invalid" ? "invalid" : "active",
          reason: status === "invalid" ? "invalid in GPT-Load (imported)" : null,
          requests: toCount(row.request_count),
          failures: toCount(row.failure_count),
          lastUsedAt: toEpochMs(row.last_used_at),
          notes: typeof row.notes === "string" ? row.notes : "",
        });
      }
      const parsed = parseKeyList(plain);
      report.keys.rejected += parsed.rejected;
      report.keys.present += parsed.repeated;
      progress.advance(rows.length - parsed.keys.length);
      for (let i = 0; i < parsed.keys.length; i += KEY_CHUNK) {
        const chunk = parsed.keys.slice(i, i + KEY_CHUNK);
        const added = importKeys(store.sqlite, store.box, target.id, chunk, options.now, { stateOf: (value) => meta.get(value) });
        report.keys.added += added;
        report.keys.present += chunk.length - added;
        progress.advance(chunk.length);
      }
    }
  } finally {
    progress.finish();
  }
  if (report.keys.undecryptable) report.notes.push(`${report.keys.undecryptable} key(s) could not be decrypted with --encryption-key; not imported`);
  if (report.keys.rejected) report.notes.push(`${report.keys.rejected} key(s) were empty, longer than 1000 characters or held control characters; not imported`);
  if (otherStatuses) report.notes.push(`${otherStatuses} key(s) had a status other than active/invalid; imported as active`);
}

function toCount(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function toEpochMs(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(String(value));
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

function printReport(report: Report, source: string, dryRun: boolean): void {
  const lines = [
    `${dryRun ? "Dry run: nothing was written. Would import" : "Imported"} from GPT-Load at ${source}:`,
    `  groups:        ${report.groups.added} added, ${report.groups.present} already present, ${report.groups.skipped} skipped (${report.subGroups} sub-group links)`,
    `  upstream keys: ${report.keys.added} added, ${report.keys.present} already present, ${report.keys.skipped + report.keys.rejected + report.keys.undecryptable} not imported`,
    `  access keys:   ${report.accessKeys.added} added, ${report.accessKeys.present} already present`,
    `  settings:      ${report.settings.set} set, ${report.settings.present} already set, ${report.settings.keptLocal} kept (changed in poolgate)`,
  ];
  if (report.notes.length) lines.push("Not mapped:", ...report.notes.map((n) => `  - ${n}`));
  const changed = report.groups.added + report.keys.added + report.accessKeys.added + report.settings.set;
  if (!dryRun && changed) lines.push("If poolgate is running, restart it to load the imported data.");
  process.stdout.write(lines.join("\n") + "\n");
}
