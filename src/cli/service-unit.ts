// The systemd unit poolgate runs under, as a template: `poolgate service install` renders it and
// deploy/poolgate.service is its default rendering (a test keeps the two equal). Hardened, but
// nothing that breaks Bun's JIT (no MemoryDenyWriteExecute).

export interface ServiceUnitOptions {
  user: string;
  /** Absolute path of the poolgate executable. */
  binary: string;
  /** Written as Environment=PORT=... when given; otherwise PORT comes from the env file (default 3001). */
  port?: number;
}

export const DEFAULT_SERVICE_USER = "poolgate";
export const DEFAULT_BINARY = "/usr/local/bin/poolgate";
export const ENV_FILE = "/etc/poolgate/env";
export const STATE_DIR = "/var/lib/poolgate";
/** Longer than the default shutdown_timeout (30 s) drain, so systemd never kills a draining gateway. */
export const STOP_TIMEOUT_S = 45;

export function renderServiceUnit(options: ServiceUnitOptions): string {
  const lowPort = options.port !== undefined && options.port < 1024;
  return `# poolgate — AI API gateway. Written by \`poolgate service install\`; settings go in ${ENV_FILE}.
# SIGTERM drains in-flight requests and streams (up to shutdown_timeout), then exits 0.

[Unit]
Description=poolgate AI API gateway
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${options.user}
Group=${options.user}
ExecStart=${options.binary} serve
# serve runs as a supervisor plus the gateway; SIGHUP swaps the gateway without a failed request.
ExecReload=/bin/kill -HUP $MAINPID
# ${ENV_FILE} overrides these (EnvironmentFile wins over Environment).
Environment=DATA_DIR=${STATE_DIR}
Environment=LOG_FORMAT=json
${options.port === undefined ? "" : `Environment=PORT=${options.port}\n`}EnvironmentFile=-${ENV_FILE}
StateDirectory=poolgate
StateDirectoryMode=0700
WorkingDirectory=${STATE_DIR}
UMask=0077

Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=${STOP_TIMEOUT_S}
# Each open stream holds two sockets; room for tens of thousands.
LimitNOFILE=65536

NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
SystemCallArchitectures=native
${lowPort ? "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE" : "CapabilityBoundingSet=\nAmbientCapabilities="}

[Install]
WantedBy=multi-user.target
`;
}
