// Vite config of the admin UI: builds ui/ into ui/dist (hashed files under assets/), and in
// development proxies the server's routes to a running poolgate. Run it on Bun:
// `bunx --bun vite build` (see STACK-NOTES); paths come from import.meta.dirname, not __dirname.

import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

const server = `http://127.0.0.1:${process.env.PORT ?? "3001"}`;
const forwarded = ["/api", "/proxy", "/health", "/ready", "/metrics"];

export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    chunkSizeWarningLimit: 800,
    // Rolldown reports slow plugins on every build; the Solid transform is slow by nature here.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    port: Number(process.env.UI_DEV_PORT ?? 5173),
    proxy: Object.fromEntries(forwarded.map((path) => [path, { target: server, changeOrigin: false }])),
  },
});
