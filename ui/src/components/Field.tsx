// A labelled form field with help text and an inline error, wired with aria-describedby.

import { createUniqueId, Show, type JSX } from "solid-js";

export function Field(props: { label: string; help?: string; error?: string; children: (id: string, describedBy: string | undefined) => JSX.Element; class?: string }) {
  const id = createUniqueId();
  const describedBy = () => [props.help ? `${id}-help` : "", props.error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field ${props.class ?? ""}`} classList={{ invalid: Boolean(props.error) }}>
      <label for={id}>{props.label}</label>
      {props.children(id, describedBy())}
      <Show when={props.help}>
        <small id={`${id}-help`} class="help">{props.help}</small>
      </Show>
      <Show when={props.error}>
        <small id={`${id}-error`} class="error-text" role="alert">{props.error}</small>
      </Show>
    </div>
  );
}
