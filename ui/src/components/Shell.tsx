// The frame around every signed-in page: brand, navigation, language switch, theme toggle and
// logout. On a phone width the navigation scrolls sideways instead of wrapping.

import { For, type JSX } from "solid-js";
import { logout } from "../api/session.ts";
import { LOCALES, type Locale } from "../lib/i18n.ts";
import { NAV } from "../routes.ts";
import { useApp } from "./app-context.tsx";
import { Link } from "./Link.tsx";

export function Shell(props: { children: JSX.Element }) {
  const app = useApp();
  const { t } = app;
  const active = (path: string) => (path === "/" ? app.path() === "/" : app.path().startsWith(path));
  const signOut = async () => {
    try {
      await logout(app.api);
    } finally {
      app.navigate("/login", { replace: true });
    }
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">{t("shell.skip")}</a>
      <header class="topbar">
        <Link class="brand" href="/">poolgate</Link>
        <nav class="nav" aria-label={t("shell.nav")}>
          <For each={NAV}>
            {(item) => (
              <Link href={item.path} class="nav-link" classList={{ active: active(item.path) }} aria-current={active(item.path) ? "page" : undefined} data-testid={`nav-${item.name}`}>
                {t(`nav.${item.name}`)}
              </Link>
            )}
          </For>
        </nav>
        <div class="topbar-tools">
          <label class="sr-only" for="locale-select">{t("shell.language")}</label>
          <select id="locale-select" data-testid="locale" value={app.locale()} onChange={(e) => app.setLocale(e.currentTarget.value as Locale)}>
            <For each={LOCALES}>{(l) => <option value={l}>{t(`locale.${l}`)}</option>}</For>
          </select>
          <button type="button" class="ghost" data-testid="theme-toggle" onClick={() => app.toggleTheme()} aria-label={t("shell.toggleTheme")} title={t("shell.toggleTheme")}>
            {app.theme() === "dark" ? "☀" : "☾"}
          </button>
          <button type="button" class="ghost" data-testid="logout" onClick={signOut}>
            {t("shell.logout")}
          </button>
        </div>
      </header>
      <main id="main" class="content" tabindex="-1">
        {props.children}
      </main>
    </div>
  );
}
