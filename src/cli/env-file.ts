// The environment file the systemd unit reads (/etc/poolgate/env): every process setting from
// config/env.ts, commented out at its default, with its help text. deploy/poolgate.env.example
// is its default rendering (a test keeps the two equal).

import { CONFIG_VARIABLES } from "../config/env.ts";

export function renderEnvFile(): string {
  const lines = [
    "# poolgate settings for the systemd unit (EnvironmentFile=-/etc/poolgate/env).",
    "# One NAME=value per line; uncomment to change a default. Restart to apply:",
    "#   systemctl restart poolgate",
    "# Hot settings (timeouts, retries, retention, ...) live in the database: use the admin UI or API.",
    "",
  ];
  for (const v of CONFIG_VARIABLES) {
    lines.push(`# ${v.help} Default: ${v.default}.`);
    if (v.env === "DATA_DIR") lines.push("# The unit sets /var/lib/poolgate (its StateDirectory); ProtectSystem=strict makes other paths read-only.");
    if (v.env === "AUTH_KEY" || v.env === "ENCRYPTION_KEY") lines.push("# Keep this file mode 0640 or stricter when you set it here.");
    const example = v.env === "DATA_DIR" ? "/var/lib/poolgate" : /^[\w.\/-]+$/.test(v.default) && v.default !== "generated" ? v.default : "";
    lines.push(`#${v.env}=${example}`);
    lines.push("");
  }
  lines.push("# Bun's outbound request cap; the unit sets 65535 (the most Bun accepts).", "#BUN_CONFIG_MAX_HTTP_REQUESTS=65535", "");
  return lines.join("\n");
}
