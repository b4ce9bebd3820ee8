// Follows a background task until it is no longer running: reads it, reports it, waits, again.
// The reader and the wait are passed in, so tests drive it without a clock.

export interface PolledTask {
  status: "running" | "done" | "failed";
}

export async function followTask<T extends PolledTask>(options: {
  read: () => Promise<T>;
  onUpdate: (task: T) => void;
  wait: () => Promise<void>;
  /** Stops following (e.g. the page was left); the last task read is returned. */
  cancelled?: () => boolean;
}): Promise<T> {
  for (;;) {
    const task = await options.read();
    options.onUpdate(task);
    if (task.status !== "running" || options.cancelled?.()) return task;
    await options.wait();
  }
}
