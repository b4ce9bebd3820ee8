// `bun run dev`: the server with --watch and Vite's dev server (hot reload, proxying /api,
// /proxy, /health, /ready and /metrics to the server) together. Ctrl-C stops both; when one
// exits, the other is stopped too. Open the Vite URL it prints (default http://localhost:5173).
// The server runs as one plain process (BUN_CONFIG_MAX_HTTP_REQUESTS set, so `serve` does not
// relaunch itself under its supervisor): a --watch restart of a supervising parent orphaned its
// child, which kept the port, and the new child then died with "PORT ... already in use".

import { join } from "node:path";

const root = join(import.meta.dir, "..");
const serverEnv = { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ?? "65535" };
const children = [
  Bun.spawn([process.execPath, "--watch", join(root, "src", "main.ts"), "serve"], { cwd: root, env: serverEnv, stdio: ["inherit", "inherit", "inherit"] }),
  Bun.spawn([process.execPath, "--bun", join(root, "node_modules", "vite", "bin", "vite.js"), "--config", join(import.meta.dir, "vite.config.ts")], {
    cwd: import.meta.dir,
    stdio: ["inherit", "inherit", "inherit"],
  }),
];

const stopAll = () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
const code = await Promise.race(children.map((c) => c.exited));
stopAll();
await Promise.all(children.map((c) => c.exited));
process.exit(code);
