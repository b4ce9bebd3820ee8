// Keys of one group: server-side paged, filtered and searched; pages are fetched as the virtual
// table scrolls to them. Owns import (in batches, with progress), restore, delete, per-key
// enable/disable and notes. What it shows is KeysView's job.

import { batch, createResource, createSignal, onCleanup } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { getGroup } from "../../api/groups.ts";
import { deleteKeys, exportKeysUrl, importKeys, listKeys, restoreKeys, updateKey, type KeyItem, type KeyStatus } from "../../api/keys.ts";
import { getTask, startValidation, type Task } from "../../api/tasks.ts";
import { useApp } from "../../components/app-context.tsx";
import { formatNumber } from "../../lib/format.ts";
import { followTask } from "../../lib/poll-task.ts";
import { importInBatches, parseKeyText, type ImportProgress } from "../../lib/key-import.ts";
import { validateKeyNotes } from "../../lib/validate.ts";
import { pagesFor } from "../../lib/virtual-window.ts";
import { KeysView } from "./KeysView.tsx";

const PAGE_SIZE = 200;
const IMPORT_BATCH = 250;
const TASK_POLL_MS = 1000;

export function KeysPage(props: { groupId: number }) {
  const app = useApp();
  const [group, { refetch: refetchGroup }] = createResource(() => props.groupId, (id) => getGroup(app.api, id));
  const [status, setStatus] = createSignal<KeyStatus | "">("");
  const [query, setQuery] = createSignal("");
  const [total, setTotal] = createSignal(0);
  const [loaded, setLoaded] = createSignal(false);
  const [rows, setRows] = createStore<Record<number, KeyItem>>({});
  const [generation, setGeneration] = createSignal(0);
  const [error, setError] = createSignal("");
  const [notice, setNotice] = createSignal("");
  const [progress, setProgress] = createSignal<ImportProgress | null>(null);
  const [importing, setImporting] = createSignal(false);
  const [validation, setValidation] = createSignal<Task | null>(null);
  const n = (v: number) => formatNumber(v, app.locale());
  let disposed = false;
  const requested = new Set<number>();
  let controller = new AbortController();
  let lastRange: [number, number] = [0, 60];

  const fetchPage = async (page: number, gen: number) => {
    if (requested.has(page)) return;
    requested.add(page);
    try {
      const result = await listKeys(app.api, props.groupId, { page, pageSize: PAGE_SIZE, status: status(), q: query() }, controller.signal);
      if (gen !== generation()) return;
      batch(() => {
        setTotal(result.total);
        setLoaded(true);
        const patch: Record<number, KeyItem> = {};
        result.items.forEach((item, i) => (patch[(page - 1) * PAGE_SIZE + i] = item));
        setRows(patch);
      });
    } catch (e) {
      requested.delete(page);
      if (e instanceof DOMException && e.name === "AbortError") return;
      setError(app.describeError(e));
    }
  };

  const onRange = (start: number, end: number) => {
    lastRange = [start, end];
    const gen = generation();
    for (const page of pagesFor(start, Math.max(end, start + 1), PAGE_SIZE)) void fetchPage(page, gen);
  };

  /** Forgets every fetched page and loads the visible ones again (after a change or a new filter). */
  const reload = (toTop = false) => {
    controller.abort();
    controller = new AbortController();
    requested.clear();
    batch(() => {
      setGeneration((g) => g + 1);
      setRows(reconcile({}));
      if (toTop) lastRange = [0, 60];
    });
    onRange(...lastRange);
    void refetchGroup();
  };

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => {
    disposed = true;
    clearTimeout(searchTimer);
    controller.abort();
  });

  const run = async (action: () => Promise<string>) => {
    setError("");
    setNotice("");
    try {
      setNotice(await action());
      reload();
    } catch (e) {
      setError(app.describeError(e));
    }
  };

  const doImport = async (text: string) => {
    const parsed = parseKeyText(text);
    if (parsed.keys.length === 0) {
      setError(app.t("keys.nothingToImport"));
      return;
    }
    setError("");
    setNotice("");
    setImporting(true);
    try {
      const result = await importInBatches(parsed.keys, {
        batchSize: IMPORT_BATCH,
        send: (keys) => importKeys(app.api, props.groupId, keys),
        onProgress: setProgress,
      });
      setNotice(app.t("keys.imported", { added: n(result.added), duplicates: n(result.duplicates + parsed.repeated), rejected: n(result.rejected) }));
      reload(true);
      return true;
    } catch (e) {
      setError(app.describeError(e));
      return false;
    } finally {
      setImporting(false);
    }
  };

  const validate = async () => {
    setError("");
    setNotice("");
    try {
      const id = await startValidation(app.api, props.groupId, "all");
      const last = await followTask({
        read: () => getTask(app.api, id),
        onUpdate: setValidation,
        wait: () => new Promise((resolve) => setTimeout(resolve, TASK_POLL_MS)),
        cancelled: () => disposed,
      });
      if (last.status === "failed") setError(last.error ?? app.t("keys.validationFailed"));
      else if (last.status === "done") {
        setNotice(app.t("keys.validated", { valid: n(last.valid), invalid: n(last.invalid), unknown: n(last.unknown + last.rate_limited), restored: n(last.restored) }));
      }
      reload();
    } catch (e) {
      setError(app.describeError(e));
    }
  };

  /** Saves one key's notes and patches its row in place (no reload: the table keeps its scroll). */
  const saveNotes = async (index: number, key: KeyItem, text: string) => {
    setError("");
    const checked = validateKeyNotes(text);
    if (!checked.ok) {
      setError(app.t(checked.error.key, checked.error.params));
      return false;
    }
    try {
      const row = await updateKey(app.api, key.id, { notes: checked.value });
      if (rows[index]?.id === key.id) setRows(index, { ...row });
      return true;
    } catch (e) {
      setError(app.describeError(e));
      return false;
    }
  };

  return (
    <KeysView
      group={group()}
      groupError={group.error ? app.describeError(group.error) : ""}
      total={total()}
      loaded={loaded()}
      row={(i) => rows[i]}
      generation={generation()}
      status={status()}
      query={query()}
      error={error()}
      notice={notice()}
      progress={progress()}
      importing={importing()}
      validation={validation()}
      onValidate={validate}
      exportUrl={exportKeysUrl(app.api, props.groupId, status())}
      onRange={onRange}
      onStatus={(s) => {
        setStatus(s);
        reload(true);
      }}
      onQuery={(q) => {
        setQuery(q);
        clearTimeout(searchTimer);
        searchTimer = setTimeout(() => reload(true), 250);
      }}
      onImport={doImport}
      onRestore={() => run(async () => app.t("keys.restored", { count: n((await restoreKeys(app.api, props.groupId)).restored) }))}
      onDeleteInvalid={() => {
        if (!confirm(app.t("keys.confirmDeleteInvalid"))) return;
        void run(async () => app.t("keys.deleted", { count: n((await deleteKeys(app.api, props.groupId, { status: "invalid" })).deleted) }));
      }}
      onToggle={(key) => run(async () => {
        await updateKey(app.api, key.id, { status: key.status === "disabled" ? "active" : "disabled" });
        return "";
      })}
      onNotes={saveNotes}
      onDelete={(key) => run(async () => app.t("keys.deleted", { count: n((await deleteKeys(app.api, props.groupId, { ids: [key.id] })).deleted) }))}
    />
  );
}
