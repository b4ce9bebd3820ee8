// A side panel over the page (details, forms): closes with Escape or the close button, takes
// focus when it opens and gives it back when it closes.

import { onCleanup, onMount, type JSX } from "solid-js";
import { useApp } from "./app-context.tsx";

export function Drawer(props: { title: string; onClose: () => void; children: JSX.Element; testid?: string; wide?: boolean }) {
  const { t } = useApp();
  let panel!: HTMLDivElement;
  const previous = document.activeElement as HTMLElement | null;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") props.onClose();
  };
  onMount(() => {
    document.addEventListener("keydown", onKey);
    panel.focus();
  });
  onCleanup(() => {
    document.removeEventListener("keydown", onKey);
    previous?.focus?.();
  });
  return (
    <div class="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class="drawer" classList={{ wide: props.wide }} role="dialog" aria-modal="true" aria-label={props.title} tabindex="-1" ref={panel} data-testid={props.testid}>
        <div class="drawer-head">
          <h2>{props.title}</h2>
          <button type="button" class="ghost" onClick={() => props.onClose()} aria-label={t("common.close")}>✕</button>
        </div>
        <div class="drawer-body">{props.children}</div>
      </div>
    </div>
  );
}
