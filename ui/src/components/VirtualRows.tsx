// A scrolling list that renders only the rows in view (plus overscan), so 100,000 rows cost
// what 40 do. Rows have a fixed height; the caller renders each index and is told which range
// is visible so it can fetch the pages that hold it.

import { createEffect, createMemo, createSignal, For, onCleanup, onMount, type JSX } from "solid-js";
import { computeWindow } from "../lib/virtual-window.ts";

export function VirtualRows(props: {
  total: number;
  rowHeight: number;
  renderRow: (index: number) => JSX.Element;
  onRange?: (start: number, end: number) => void;
  label: string;
  header: JSX.Element;
  testid?: string;
  /** Changes when the list is replaced (new filter): scrolls back to the top. */
  resetKey?: unknown;
}) {
  let scroller!: HTMLDivElement;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [height, setHeight] = createSignal(480);
  const win = createMemo(() => computeWindow({ scrollTop: scrollTop(), viewportHeight: height(), rowHeight: props.rowHeight, total: props.total }));
  const indexes = createMemo(() => {
    const { start, end } = win();
    const out: number[] = [];
    for (let i = start; i < end; i++) out.push(i);
    return out;
  });
  createEffect(() => props.onRange?.(win().start, win().end));
  createEffect(() => {
    void props.resetKey;
    if (scroller) scroller.scrollTop = 0;
    setScrollTop(0);
  });
  onMount(() => {
    const observer = new ResizeObserver(() => setHeight(scroller.clientHeight));
    observer.observe(scroller);
    onCleanup(() => observer.disconnect());
  });
  return (
    <div class="vtable" role="table" aria-label={props.label} aria-rowcount={props.total} data-testid={props.testid}>
      <div role="rowgroup" class="vtable-head">{props.header}</div>
      <div class="vtable-scroll" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} tabindex="0" role="rowgroup">
        <div style={{ height: `${win().totalHeight}px`, position: "relative" }}>
          <div style={{ transform: `translateY(${win().offsetTop}px)` }}>
            <For each={indexes()}>{(i) => props.renderRow(i)}</For>
          </div>
        </div>
      </div>
    </div>
  );
}
