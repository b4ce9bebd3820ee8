// The supervising parent of `poolgate serve`: runs the gateway as a child process, forwards stop
// signals, and on SIGHUP replaces the child without downtime (a successor binds the same port,
// reports ready, then the old child drains and exits). It never opens the database or a port itself.
// Children talk to it over Bun's IPC channel with the messages below.

import { constants as osConstants } from "node:os";
import type { Logger } from "../telemetry/logger.ts";

/** Set in a supervised child: listen with SO_REUSEPORT and report over IPC. */
export const SUPERVISED_VAR = "POOLGATE_SUPERVISED";
/** Set in a successor child: the port is already served by its predecessor; take new connections over. */
export const HANDOVER_VAR = "POOLGATE_HANDOVER";

export type ChildMessage = { kind: "ready"; port: number } | { kind: "listener-closed" };
/** "handover-stop": a successor serves now; stop like on SIGTERM, keeping the listener HANDOVER_GRACE_MS. */
export type SupervisorMessage = { kind: "handover-stop" };

/**
 * How long a replaced child keeps its listener (new connections already go to the successor) while
 * its answers say `Connection: close`. Without it, closing idle keep-alive connections races clients
 * sending their next request on them: 2 of ~1,500 POSTs failed per run here.
 */
export const HANDOVER_GRACE_MS = 1000;

export type SignalDecision = "stop" | "ignore" | "exit";

export interface SuperviseOptions {
  /** The command line of a child (this same program, `serve` and its options). */
  command: string[];
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Tells a repeated stop signal (exit at once) from the first one and from its echo. */
  decide: (signal: string, now: number) => SignalDecision;
}

interface Child {
  proc: Bun.Subprocess;
  /** Stopped by the supervisor because a successor took over (not by an operator's signal). */
  replaced: boolean;
  listenerClosed: boolean;
}

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** Runs children until the serving one exits for good; resolves with the exit code to use. */
export function supervise(options: SuperviseOptions): Promise<number> {
  const { logger } = options;
  const children = new Set<Child>();
  let current: Child;
  let successor: Child | undefined;
  let shuttingDown = false;
  let exitCode = 0;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const start = (handover: boolean): Child => {
    const child: Child = { proc: undefined as unknown as Bun.Subprocess, replaced: false, listenerClosed: false };
    child.proc = Bun.spawn(options.command, {
      env: { ...options.env, [SUPERVISED_VAR]: "1", ...(handover ? { [HANDOVER_VAR]: "1" } : {}) },
      stdio: ["inherit", "inherit", "inherit"],
      serialization: "json",
      ipc: (message: ChildMessage) => onMessage(child, message),
    });
    children.add(child);
    void child.proc.exited.then(() => onExit(child));
    return child;
  };

  const onMessage = (child: Child, message: ChildMessage) => {
    if (message.kind === "listener-closed") {
      child.listenerClosed = true;
      return;
    }
    if (message.kind !== "ready" || child !== successor) return;
    successor = undefined;
    if (shuttingDown) return;
    const old = current;
    current = child;
    old.replaced = true;
    logger.info("restart: new process ready; the old one drains and exits", { old_pid: old.proc.pid, new_pid: child.proc.pid, port: message.port });
    old.proc.send({ kind: "handover-stop" } satisfies SupervisorMessage);
  };

  const onExit = (child: Child) => {
    children.delete(child);
    const code = exitCodeOf(child.proc);
    if (child === successor) {
      successor = undefined;
      logger.error("restart failed: the new process exited before it was ready; the running one keeps serving", { pid: child.proc.pid, exit_code: code });
    } else if (child === current) {
      exitCode = code;
      // The serving child is gone (stopped or crashed): a half-started successor has nothing to take over.
      if (!shuttingDown && successor) successor.proc.kill("SIGTERM");
      shuttingDown = true;
    }
    if (children.size === 0) resolveDone(exitCode);
  };

  const restart = () => {
    if (shuttingDown) return;
    // One handover at a time: the steering in the successor assumes a group of two listeners.
    const draining = [...children].some((c) => c.replaced && !c.listenerClosed);
    if (successor || draining) {
      logger.warn("restart already in progress; SIGHUP ignored");
      return;
    }
    logger.info("restart requested (SIGHUP): starting a new process", { old_pid: current.proc.pid });
    successor = start(true);
  };

  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      const decision = options.decide(signal, Date.now());
      shuttingDown = true;
      for (const child of children) {
        if (child.proc.exitCode !== null || child.proc.signalCode !== null) continue;
        // A child already draining for a handover gets the operator's signal only when it is a
        // second one ("exit at once"); the first one must not cut its streams short.
        if (child.replaced && decision !== "exit") continue;
        child.proc.kill(signal);
      }
    });
  }
  process.on("SIGHUP", restart);

  current = start(false);
  return done;
}

/** Like a shell: a child ended by a signal counts as 128 + the signal's number. */
function exitCodeOf(proc: Bun.Subprocess): number {
  const signal = proc.signalCode;
  const signalNumber = typeof signal === "string" ? osConstants.signals[signal as keyof typeof osConstants.signals] : signal;
  return signalNumber ? 128 + signalNumber : (proc.exitCode ?? 1);
}
