// Copies a text to the clipboard and says so for a moment.

import { createSignal } from "solid-js";

export function CopyButton(props: { text: string; label: string; copiedLabel: string; testid?: string }) {
  const [copied, setCopied] = createSignal(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      const area = document.createElement("textarea");
      area.value = props.text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="secondary" onClick={copy} data-testid={props.testid} aria-live="polite">
      {copied() ? props.copiedLabel : props.label}
    </button>
  );
}
