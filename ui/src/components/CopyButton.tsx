// Copies a text to the clipboard and says so for a moment.

import { createSignal } from "solid-js";
import { useApp } from "./app-context.tsx";

export function CopyButton(props: { text: string; testid?: string }) {
  const { t } = useApp();
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
      {copied() ? t("common.copied") : t("common.copy")}
    </button>
  );
}
