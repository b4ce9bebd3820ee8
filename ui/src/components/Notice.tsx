// A message box: an API error in plain words, a warning, or a success note.

import { Show, type JSX } from "solid-js";

export function Notice(props: { kind: "error" | "warning" | "success"; children?: JSX.Element; testid?: string; when?: unknown; class?: string }) {
  return (
    <Show when={props.when === undefined || props.when}>
      <div class={`notice notice-${props.kind}${props.class ? ` ${props.class}` : ""}`} role={props.kind === "error" ? "alert" : "status"} data-testid={props.testid}>
        {props.children}
      </div>
    </Show>
  );
}
