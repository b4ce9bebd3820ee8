// `bun run build`: compiles src/main.ts into one executable, dist/poolgate, with the migrations
// (src/store/migrations.gen.ts) inside. Options: --target bun-<os>-<arch> (passed to bun build;
// only the host target compiles offline, others fetch their runtime from npm) and --outfile.
// Before compiling it builds the admin UI (ui/build.ts) and compiles the generated entry that embeds it.

import { mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildUi, writeEmbedModules } from "../ui/build.ts";

const root = join(import.meta.dir, "..");

export interface BuildOptions {
  /** A bun compile target such as bun-linux-arm64; the host when left out. */
  target?: string;
  outfile: string;
}

export function defaultOutfile(target: string | undefined): string {
  return join(root, "dist", target ? `poolgate-${target.replace(/^bun-/, "")}` : "poolgate");
}

/**
 * Builds ui/ with Vite and regenerates the git-ignored src/ui-assets.gen.ts (one
 * `with { type: "file" }` import per file, see STACK-NOTES) and src/binary-entry.gen.ts (calls
 * main.ts's run() with those files); answers the entry to compile.
 */
export async function prepareEmbeddedUi(): Promise<string> {
  await buildUi();
  return writeEmbedModules();
}

const LOG_WRITER_WORKER = join(root, "src", "store", "log-writer-worker.ts");

/** The `bun build` command line; --bytecode halves the time to the first request. */
export function compileCommand(options: BuildOptions, entry = join(root, "src", "main.ts")): string[] {
  return [
    process.execPath,
    "build",
    "--compile",
    "--minify",
    "--bytecode",
    "--sourcemap=none",
    ...(options.target ? [`--target=${options.target}`] : []),
    entry,
    // The request-log writer thread's entry (store/log-writer-thread.ts names it relative to src/).
    LOG_WRITER_WORKER,
    "--outfile",
    options.outfile,
  ];
}

export async function build(options: BuildOptions): Promise<void> {
  const entry = await prepareEmbeddedUi();
  mkdirSync(dirname(options.outfile), { recursive: true });
  const started = performance.now();
  const proc = Bun.spawn(compileCommand(options, entry), { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`bun build exited with code ${code}`);
  const mib = (statSync(options.outfile).size / 2 ** 20).toFixed(1);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`built ${options.outfile} (${mib} MiB) in ${seconds} s`);
}

function parseCli(args: string[]): BuildOptions {
  const { values } = parseArgs({ args, options: { target: { type: "string" }, outfile: { type: "string" } }, strict: true });
  if (values.target !== undefined && !values.target.startsWith("bun-")) {
    throw new Error(`--target must be a bun compile target such as bun-linux-arm64, got "${values.target}"`);
  }
  return { target: values.target, outfile: values.outfile ? resolve(values.outfile) : defaultOutfile(values.target) };
}

if (import.meta.main) {
  Promise.resolve()
    .then(() => build(parseCli(Bun.argv.slice(2))))
    .catch((error: unknown) => {
      console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
