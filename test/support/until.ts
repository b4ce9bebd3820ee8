// Waits for a condition driven by the event loop, not by the clock: checks it after each turn
// of the loop (setImmediate) and fails after a bounded number of turns instead of sleeping.

export async function until<T>(
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  what = "condition",
  maxTurns = 100_000,
): Promise<T> {
  for (let i = 0; i < maxTurns; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting for ${what}`);
}
