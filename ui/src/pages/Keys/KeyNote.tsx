// The notes cell of one key: shows the note as a button; clicking it (or Enter / Space on it)
// turns it into an input that saves on Enter or when it loses focus, and cancels on Escape.
// Saving is the page's job: onSave answers whether the note was stored.

import { createSignal, Show } from "solid-js";

export function KeyNote(props: { notes: string; placeholder: string; label: string; onSave(notes: string): Promise<boolean> }) {
  const [editing, setEditing] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  let input: HTMLInputElement | undefined;
  let cancelled = false;
  const finish = async () => {
    if (cancelled || saving()) return;
    const text = input?.value ?? props.notes;
    if (text === props.notes) {
      setEditing(false);
      return;
    }
    setSaving(true);
    const ok = await props.onSave(text);
    setSaving(false);
    if (ok) setEditing(false);
  };
  return (
    <Show
      when={editing()}
      fallback={
        <button
          type="button"
          class="note-button ellipsis"
          classList={{ muted: !props.notes }}
          title={props.notes || undefined}
          aria-label={props.label}
          onClick={() => {
            cancelled = false;
            setEditing(true);
          }}
          data-testid="key-notes"
        >
          {props.notes || props.placeholder}
        </button>
      }
    >
      <input
        ref={(el) => {
          input = el;
          queueMicrotask(() => el.focus());
        }}
        class="note-input"
        value={props.notes}
        maxlength={1000}
        aria-label={props.label}
        disabled={saving()}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void finish();
          } else if (e.key === "Escape") {
            e.preventDefault();
            e.stopPropagation();
            cancelled = true;
            setEditing(false);
          }
        }}
        onBlur={() => void finish()}
        data-testid="key-notes-input"
      />
    </Show>
  );
}
