// Which rows of a long list to render: from the scroll position, the viewport height and a fixed
// row height, the first and last visible row (plus overscan) and the pages that hold them.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  overscan?: number;
}

export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last one to render (exclusive). */
  end: number;
  /** Pixels above the first rendered row. */
  offsetTop: number;
  /** Height of the whole list in pixels. */
  totalHeight: number;
}

export function computeWindow(input: WindowInput): RowWindow {
  const overscan = input.overscan ?? 8;
  const total = Math.max(0, input.total);
  const first = Math.floor(Math.max(0, input.scrollTop) / input.rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportHeight) / input.rowHeight) + 1;
  const start = Math.min(total, Math.max(0, first - overscan));
  const end = Math.min(total, first + visible + overscan);
  return { start, end, offsetTop: start * input.rowHeight, totalHeight: total * input.rowHeight };
}

/** The 1-based page numbers (of `pageSize` rows) that hold rows [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const first = Math.floor(start / pageSize) + 1;
  const last = Math.floor((end - 1) / pageSize) + 1;
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}
