// `poolgate service install|uninstall`: sets poolgate up as a systemd service (unit, env file,
// system user, data dir, binary in /usr/local/bin) or removes the unit while keeping the data.
// Refuses when not root or without systemd. --root writes into a staging folder instead of /
// (packaging, tests); it then skips the root check, the user and systemctl.

import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { parseCliArgs, stringFlag } from "./cli-args.ts";
import { CliError, EXIT_FAILURE } from "./cli-error.ts";
import { renderEnvFile } from "./env-file.ts";
import type { Env } from "./local-store.ts";
import { DEFAULT_BINARY, DEFAULT_SERVICE_USER, ENV_FILE, renderServiceUnit, STATE_DIR } from "./service-unit.ts";

export const SERVICE_HELP = `Usage:
  poolgate service install [--user NAME] [--port N] [--binary PATH]
  poolgate service uninstall

install (as root, on a host running systemd) writes /etc/systemd/system/poolgate.service and
${ENV_FILE} (mode 0640; an existing one is kept), creates the system user (default
${DEFAULT_SERVICE_USER}) and ${STATE_DIR}, copies this executable to the --binary path (default
${DEFAULT_BINARY}) and prints the systemctl commands that start it. Running it again updates
the unit. uninstall stops and disables the service and removes the unit; the data, the env file
and the user stay.

Options:
  --user NAME     system user the service runs as (default ${DEFAULT_SERVICE_USER})
  --port N        port to listen on (default: PORT from ${ENV_FILE}, else 3001)
  --binary PATH   where the executable is installed and run from (default ${DEFAULT_BINARY})
  --root DIR      write into DIR instead of / (packaging, tests): no root check, no user, no systemctl

Exit codes: 0 done, 1 a step failed, 2 not root, no systemd, or usage error.
`;

const UNIT_PATH = "/etc/systemd/system/poolgate.service";
const WANTS_LINK = "/etc/systemd/system/multi-user.target.wants/poolgate.service";
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

export async function serviceCommand(argv: readonly string[], _env: Env): Promise<number> {
  const [action, ...rest] = argv;
  const args = parseCliArgs(rest, { "--user": "string", "--port": "string", "--binary": "string", "--root": "string" }, "service");
  if (args.help || action === "--help" || action === "-h" || action === "help") {
    process.stdout.write(SERVICE_HELP);
    return 0;
  }
  if (action !== "install" && action !== "uninstall") {
    throw new CliError(action ? `service: unknown action "${action}"; use install or uninstall` : "service: missing action; use poolgate service install|uninstall");
  }
  if (args.positionals.length || args.configArgv.length) throw new CliError(`service ${action}: unexpected argument "${args.positionals[0] ?? args.configArgv[0]}"`);
  const root = stringFlag(args, "--root");
  if (root !== undefined && !isAbsolute(root)) throw new CliError("service: --root must be an absolute path");
  const staging = root !== undefined;
  const at = (path: string) => (staging ? join(root, path) : path);

  if (!staging && process.getuid?.() !== 0) throw new CliError(`service ${action} must run as root (try: sudo poolgate service ${action})`);
  if (!existsSync(at("/run/systemd/system"))) {
    throw new CliError(`service ${action}: systemd is not running on this host (no /run/systemd/system); run poolgate serve under your own supervisor instead`);
  }
  if (action === "uninstall") return uninstall(at, staging);

  const user = stringFlag(args, "--user") ?? DEFAULT_SERVICE_USER;
  if (!USER_NAME.test(user)) throw new CliError(`service install: --user "${user}" is not a valid user name`);
  const portText = stringFlag(args, "--port");
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!/^\d+$/.test(portText!) || port < 1 || port > 65535)) throw new CliError(`service install: --port must be a whole number from 1 to 65535, got "${portText}"`);
  const binary = stringFlag(args, "--binary") ?? DEFAULT_BINARY;
  if (!isAbsolute(binary)) throw new CliError("service install: --binary must be an absolute path");

  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(ensureUser(user, staging, at));
  say(installBinary(binary, at));

  mkdirSync(at("/etc/systemd/system"), { recursive: true });
  const unitExisted = existsSync(at(UNIT_PATH));
  writeFileSync(at(UNIT_PATH), renderServiceUnit({ user, binary, port }), { mode: 0o644 });
  chmodSync(at(UNIT_PATH), 0o644);
  say(`${unitExisted ? "updated" : "wrote"} ${UNIT_PATH}`);

  mkdirSync(at("/etc/poolgate"), { recursive: true, mode: 0o755 });
  if (existsSync(at(ENV_FILE))) say(`kept the existing ${ENV_FILE}`);
  else {
    writeFileSync(at(ENV_FILE), renderEnvFile(), { mode: 0o640 });
    chmodSync(at(ENV_FILE), 0o640);
    say(`wrote ${ENV_FILE} (mode 0640): every setting, commented out at its default`);
  }

  mkdirSync(at(STATE_DIR), { recursive: true, mode: 0o700 });
  chmodSync(at(STATE_DIR), 0o700);
  if (!staging) run(["chown", `${user}:${user}`, STATE_DIR]);
  say(`data dir ${STATE_DIR} (mode 0700${staging ? "" : `, owned by ${user}`})`);

  say("");
  say("Start it now and at every boot:");
  say("  systemctl daemon-reload && systemctl enable --now poolgate");
  say("Then read the generated admin key once with: journalctl -u poolgate | grep 'Generated admin key'");
  return 0;
}

function run(cmd: string[]): { ok: boolean; output: string } {
  const result = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { ok: result.exitCode === 0, output: `${result.stdout.toString()}${result.stderr.toString()}`.trim() };
}

function ensureUser(user: string, staging: boolean, at: (path: string) => string): string {
  if (staging) {
    const passwd = existsSync(at("/etc/passwd")) ? readFileSync(at("/etc/passwd"), "utf8") : "";
    return passwd.split("\n").some((line) => line.startsWith(`${user}:`)) ? `user ${user} exists` : `user ${user}: create it on the target host (staging root)`;
  }
  if (run(["getent", "passwd", user]).ok) return `user ${user} exists`;
  const created = run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", STATE_DIR, "--shell", "/usr/sbin/nologin", user]);
  if (!created.ok) throw new CliError(`service install: useradd ${user} failed: ${created.output.split("\n")[0] ?? ""}`, EXIT_FAILURE);
  return `created system user ${user}`;
}

/** Copies the running executable to the binary path, when this is the compiled binary. */
function installBinary(binary: string, at: (path: string) => string): string {
  const target = at(binary);
  const compiled = Bun.main.startsWith("/$bunfs/");
  if (!compiled) {
    if (existsSync(target)) return `using the existing ${binary}`;
    return `warning: ${binary} does not exist and this is not the compiled binary; build it with "bun run build" and copy dist/poolgate to ${binary}`;
  }
  if (existsSync(target) && realpathSync(target) === realpathSync(process.execPath)) return `${binary} is this executable`;
  const dir = target.slice(0, target.lastIndexOf("/")) || "/";
  mkdirSync(dir, { recursive: true });
  const temporary = `${target}.new`;
  copyFileSync(process.execPath, temporary);
  chmodSync(temporary, 0o755);
  // Renaming over a running binary is safe; writing into it is not (ETXTBSY).
  renameSync(temporary, target);
  return `copied this executable to ${binary}`;
}

function uninstall(at: (path: string) => string, staging: boolean): number {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (!staging) {
    const stopped = run(["systemctl", "disable", "--now", "poolgate"]);
    say(stopped.ok ? "stopped and disabled poolgate" : `systemctl disable --now poolgate: ${stopped.output.split("\n")[0] ?? "failed"}`);
  } else if (isLink(at(WANTS_LINK))) rmSync(at(WANTS_LINK));
  if (existsSync(at(UNIT_PATH))) {
    rmSync(at(UNIT_PATH));
    say(`removed ${UNIT_PATH}`);
  } else say(`${UNIT_PATH} was not installed`);
  if (!staging) run(["systemctl", "daemon-reload"]);
  say(`Kept the data in ${STATE_DIR}, ${ENV_FILE}, the binary and the service user; delete them yourself if you no longer need them.`);
  return 0;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
