// The CLI progress bar: drawn on a terminal for large jobs only, redrawn once per percent,
// cleared at the end.

import { describe, expect, it } from "bun:test";
import { createProgressBar, renderProgress } from "../../src/cli/progress-bar.ts";

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

describe("progress-bar", () => {
  it("rendersTheShareDoneAsBarPercentAndCounts", () => {
    expect(renderProgress("keys", 50, 200)).toBe(`keys [${"#".repeat(8)}${"-".repeat(22)}] 25% 50/200`);
    expect(renderProgress("keys", 0, 0)).toContain("100%");
  });

  it("drawsOncePerPercentOnATerminalAndClearsTheLineAtTheEnd", () => {
    const { stream, writes } = recorder(true);
    const bar = createProgressBar("keys", 10_000, stream);
    for (let i = 0; i < 10_000; i++) bar.advance(1);
    bar.finish();
    expect(writes.length).toBe(102); // 0%..100% and the clearing write
    expect(writes.at(-2)).toContain("100% 10000/10000");
    expect(writes.at(-1)).toBe("\r\x1b[2K");
  });

  it("staysSilentWhenNotATerminalOrTheJobIsSmall", () => {
    const pipe = recorder(false);
    const big = createProgressBar("keys", 10_000, pipe.stream);
    big.advance(10_000);
    big.finish();
    expect(pipe.writes).toEqual([]);
    const tty = recorder(true);
    const small = createProgressBar("keys", 10, tty.stream);
    small.advance(10);
    small.finish();
    expect(tty.writes).toEqual([]);
  });
});
