// Zero-loss SO_REUSEPORT handover on Linux: the successor process steers every new connection on
// the shared port to its own listening socket, so the old process's accept queue stays empty and
// closing its listener resets nothing. Linux-only, best effort: callers log a failure and go on.
// It never opens or closes sockets; it finds the listener Bun.serve opened and sets one option on it.

import { dlopen, FFIType, ptr } from "bun:ffi";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * Why this exists: with SO_REUSEPORT the kernel spreads new connections over every listener of the
 * port, and closing one listener resets the connections still queued on it unless
 * net.ipv4.tcp_migrate_req=1 (off by default). Measured here: 16 connection-per-request clients lost
 * about one request per handover; with steering, none in 240 handovers (STACK-NOTES).
 *
 * The steering is a one-instruction classic BPF program attached with SO_ATTACH_REUSEPORT_CBPF
 * (socket(7)): it returns the index of the socket to use in the port's reuseport group. The group
 * lists its listeners in the order they joined, and the supervisor allows one handover at a time, so
 * the successor is index 1 while the old listener (index 0) is still open. Once the old one closes,
 * the successor moves to index 0, "1" is out of range, and the kernel falls back to its hash (over a
 * group of one). The program belongs to the group: the next successor replaces it.
 */
const SOL_SOCKET = 1;
const SO_ATTACH_REUSEPORT_CBPF = 51;
const BPF_RET_K = 0x06;
const SUCCESSOR_INDEX = 1;

export type SteerResult = { ok: true; fd: number } | { ok: false; reason: string };

/** Sends every new connection on `port` to this process's listener of that port. */
export function steerNewConnectionsHere(port: number): SteerResult {
  if (process.platform !== "linux") return { ok: false, reason: `not supported on ${process.platform}` };
  const fd = listeningSocketFd(port);
  if (fd === undefined) return { ok: false, reason: `no listening socket of this process found for port ${port}` };
  try {
    const result = attachReturnIndex(fd, SUCCESSOR_INDEX);
    return result === 0 ? { ok: true, fd } : { ok: false, reason: `setsockopt(SO_ATTACH_REUSEPORT_CBPF) failed on fd ${fd}` };
  } catch (error) {
    return { ok: false, reason: `cannot call setsockopt: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** This process's file descriptor of the TCP socket listening on `port` (IPv4 or IPv6), from /proc. */
export function listeningSocketFd(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st ... inode: "0100007F:0BB9 00000000:0000 0A ..." (0A = LISTEN)
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== "0A") continue;
      if (parseInt(fields[1]!.split(":").pop()!, 16) === port) inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const name of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && inodes.has(inode)) return Number(name);
  }
  return undefined;
}

function attachReturnIndex(fd: number, index: number): number {
  let libc: ReturnType<typeof openLibc> | undefined;
  const openLibc = (name: string) =>
    dlopen(name, { setsockopt: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 } });
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      libc = openLibc(name);
      break;
    } catch {
      // try the next name (glibc, then musl)
    }
  }
  if (libc === undefined) throw new Error("libc not found");
  try {
    // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: "return index"
    const filter = new DataView(new ArrayBuffer(8));
    filter.setUint16(0, BPF_RET_K, true);
    filter.setUint32(4, index, true);
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; } (64-bit layout)
    const program = new BigUint64Array(2);
    program[0] = 1n;
    program[1] = BigInt(ptr(filter));
    return libc.symbols.setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, ptr(program), 16);
  } finally {
    libc.close();
  }
}

/**
 * True when something already listens on hostname:port. A supervised child listens with SO_REUSEPORT
 * (for handovers), which would silently share the port with a second poolgate started by mistake; the
 * first child checks with a plain bind first, so that mistake still fails as "port in use".
 */
export function portIsTaken(hostname: string, port: number): boolean {
  try {
    const probe = Bun.serve({ hostname, port, reusePort: false, fetch: () => new Response(null, { status: 503 }) });
    void probe.stop(true);
    return false;
  } catch {
    return true;
  }
}
