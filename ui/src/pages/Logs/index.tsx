// Logs: the filter, cursor pages (a stack of cursors for "previous"), the detail drawer's log
// and the export link. What it shows is LogsView's job.

import { createMemo, createResource, createSignal } from "solid-js";
import { listGroups } from "../../api/groups.ts";
import { exportLogsUrl, getLog, listLogs, type LogFilter } from "../../api/logs.ts";
import { useApp } from "../../components/app-context.tsx";
import { LogsView } from "./LogsView.tsx";

const PAGE_SIZE = 50;

export function LogsPage() {
  const app = useApp();
  const [filter, setFilter] = createSignal<LogFilter>({});
  const [cursors, setCursors] = createSignal<(string | undefined)[]>([undefined]);
  const [page, { refetch }] = createResource(
    () => ({ filter: filter(), cursor: cursors()[cursors().length - 1] }),
    ({ filter: f, cursor }) => listLogs(app.api, f, { cursor, limit: PAGE_SIZE }),
  );
  // Only some pages carry the total: keep the last one known.
  const total = createMemo<{ count: number; capped: boolean } | null>((last) => {
    const p = page.error ? undefined : page.latest;
    return p?.total !== undefined ? { count: p.total, capped: Boolean(p.total_capped) } : last;
  }, null);
  const [groups] = createResource(async () => (await listGroups(app.api)).items);
  const [selected, setSelected] = createSignal<number | null>(null);
  const [detail] = createResource(selected, (id) => getLog(app.api, id));
  return (
    <LogsView
      items={page.error ? [] : (page.latest?.items ?? [])}
      loading={page.loading}
      error={page.error ? app.describeError(page.error) : ""}
      total={total()}
      pageNumber={cursors().length}
      hasNext={Boolean(page.latest?.next_cursor)}
      groups={groups.latest ?? []}
      filter={filter()}
      exportUrl={exportLogsUrl(app.api, filter())}
      detail={selected() === null ? null : detail.error ? undefined : detail.latest}
      detailError={detail.error ? app.describeError(detail.error) : ""}
      onFilter={(f) => {
        setCursors([undefined]);
        setFilter(f);
      }}
      onNext={() => {
        const next = page.latest?.next_cursor;
        if (next) setCursors((c) => [...c, next]);
      }}
      onPrevious={() => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c))}
      onRefresh={() => {
        setCursors([undefined]);
        void refetch();
      }}
      onOpen={setSelected}
      onClose={() => setSelected(null)}
    />
  );
}
