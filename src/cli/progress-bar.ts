// A one-line progress bar on stderr for long CLI jobs (large key imports). Drawn only when the
// stream is a terminal and the job is large; redrawn at most once per whole percent, so it
// costs nothing measurable. Shows counts only, never what is being processed.

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressBar {
  /** Adds `n` finished items. */
  advance(n: number): void;
  /** Clears the line (the caller prints its own summary afterwards). */
  finish(): void;
}

/** Jobs smaller than this finish too fast for a bar to help. */
export const PROGRESS_THRESHOLD = 1000;
const WIDTH = 30;

export function renderProgress(label: string, done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * WIDTH);
  return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${done}/${total}`;
}

export function createProgressBar(label: string, total: number, stream: ProgressStream = process.stderr, threshold = PROGRESS_THRESHOLD): ProgressBar {
  if (!stream.isTTY || total < threshold) return { advance() {}, finish() {} };
  let done = 0;
  let shownPercent = -1;
  let drawn = false;
  const draw = () => {
    const percent = Math.floor((done / total) * 100);
    if (percent === shownPercent) return;
    shownPercent = percent;
    drawn = true;
    stream.write(`\r\x1b[2K${renderProgress(label, done, total)}`);
  };
  draw();
  return {
    advance(n) {
      done = Math.min(total, done + n);
      draw();
    },
    finish() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}
