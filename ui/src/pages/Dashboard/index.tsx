// Dashboard: loads the period totals, the time series (range and group filter) and what the
// warning banner needs (settings, groups); refreshes every 15 seconds while open.

import { createResource, createSignal, onCleanup } from "solid-js";
import { listGroups } from "../../api/groups.ts";
import { me } from "../../api/session.ts";
import { listSettings } from "../../api/settings.ts";
import { getOverview, getSeries, type Range } from "../../api/stats.ts";
import { useApp } from "../../components/app-context.tsx";
import { dashboardWarnings } from "../../lib/warnings.ts";
import { DashboardView } from "./DashboardView.tsx";

const REFRESH_MS = 15_000;

export function DashboardPage() {
  const app = useApp();
  const [range, setRange] = createSignal<Range>("24h");
  const [group, setGroup] = createSignal("");
  const [overview, { refetch: refetchOverview }] = createResource(range, (r) => getOverview(app.api, r));
  const [series, { refetch: refetchSeries }] = createResource(() => [range(), group()] as const, ([r, g]) => getSeries(app.api, r, g || undefined));
  const [groups, { refetch: refetchGroups }] = createResource(async () => (await listGroups(app.api)).items);
  const [settings] = createResource(async () => (await listSettings(app.api)).items);
  const [session] = createResource(() => me(app.api));
  const timer = setInterval(() => {
    void refetchOverview();
    void refetchSeries();
    void refetchGroups();
  }, REFRESH_MS);
  onCleanup(() => clearInterval(timer));
  const groupList = () => (groups.error ? [] : (groups.latest ?? []));
  const error = () => {
    const e = overview.error ?? series.error ?? groups.error;
    return e ? app.describeError(e) : "";
  };
  return (
    <DashboardView
      range={range()}
      group={group()}
      overview={overview.error ? undefined : overview.latest}
      series={series.error ? undefined : series.latest}
      groups={groupList()}
      warnings={dashboardWarnings(settings.error ? [] : (settings.latest ?? []), groupList(), session.error ? false : session.latest?.admin_key_weak === true)}
      error={error()}
      onRange={setRange}
      onGroup={setGroup}
      onRefresh={() => {
        void refetchOverview();
        void refetchSeries();
      }}
    />
  );
}
