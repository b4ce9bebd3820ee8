// The admin UI's entry: builds the API client, the locale, theme and location signals, checks the
// session, and renders the page for the current route inside the shell (login stands alone).

import { createMemo, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import { render } from "solid-js/web";
import { ApiError, createApiClient } from "./api/client.ts";
import { me } from "./api/session.ts";
import { AppContext, type App } from "./components/app-context.tsx";
import { Shell } from "./components/Shell.tsx";
import { createTranslate, pickLocale, type Locale } from "./lib/i18n.ts";
import { matchPath } from "./lib/router.ts";
import { initialTheme, type Theme } from "./lib/theme.ts";
import { AccessKeysPage } from "./pages/AccessKeys/index.tsx";
import { DashboardPage } from "./pages/Dashboard/index.tsx";
import { GroupsPage } from "./pages/Groups/index.tsx";
import { KeysPage } from "./pages/Keys/index.tsx";
import { LoginPage } from "./pages/Login/index.tsx";
import { LogsPage } from "./pages/Logs/index.tsx";
import { NotFoundPage } from "./pages/NotFound/index.tsx";
import { SettingsPage } from "./pages/Settings/index.tsx";
import { ROUTES } from "./routes.ts";
import "./styles.css";

const LOCALE_KEY = "poolgate.locale";
const THEME_KEY = "poolgate.theme";

function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

function Root() {
  const api = createApiClient();
  const [locale, setLocaleSignal] = createSignal<Locale>(pickLocale(navigator.languages ?? [navigator.language], readStored(LOCALE_KEY)));
  const translators = createMemo(() => createTranslate(locale()));
  const prefersDark = window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
  const [theme, setTheme] = createSignal<Theme>(initialTheme(readStored(THEME_KEY), prefersDark));
  const [path, setPath] = createSignal(location.pathname);
  const [search, setSearch] = createSignal(location.search);
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));

  const applyLocale = (l: Locale) => {
    document.documentElement.lang = l;
  };
  const applyTheme = (th: Theme) => {
    document.documentElement.dataset.theme = th;
  };
  applyLocale(locale());
  applyTheme(theme());

  const navigate = (to: string, options: { replace?: boolean } = {}) => {
    const url = new URL(to, location.origin);
    if (url.pathname + url.search === location.pathname + location.search) return;
    if (options.replace) history.replaceState(null, "", url.pathname + url.search);
    else history.pushState(null, "", url.pathname + url.search);
    setPath(url.pathname);
    setSearch(url.search);
    window.scrollTo(0, 0);
  };
  window.addEventListener("popstate", () => {
    setPath(location.pathname);
    setSearch(location.search);
  });

  const toLogin = () => {
    if (path() !== "/login") navigate(`/login?next=${encodeURIComponent(path() + search())}`, { replace: true });
  };

  const app: App = {
    api,
    t: (key, params) => translators()(key, params),
    locale,
    setLocale(l) {
      setLocaleSignal(l);
      store(LOCALE_KEY, l);
      applyLocale(l);
    },
    theme,
    toggleTheme() {
      const next = theme() === "dark" ? "light" : "dark";
      setTheme(next);
      store(THEME_KEY, next);
      applyTheme(next);
    },
    path,
    search,
    navigate,
    now,
    describeError(error) {
      if (error instanceof ApiError) {
        if (error.status === 401 && path() !== "/login") {
          toLogin();
          return app.t("error.sessionEnded");
        }
        if (error.code === "network") return app.t("error.network");
        return error.message;
      }
      return app.t("error.unexpected");
    },
  };

  // Send a signed-out visitor to the login page before any page asks for data.
  if (path() !== "/login") {
    me(api).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) toLogin();
    });
  }

  const match = createMemo(() => matchPath(ROUTES, path()));
  return (
    <AppContext.Provider value={app}>
      <Show when={match()?.name !== "login"} fallback={<LoginPage />}>
        <Shell>
          <Switch fallback={<NotFoundPage />}>
            <Match when={match()?.name === "dashboard"}>
              <DashboardPage />
            </Match>
            <Match when={match()?.name === "groups"}>
              <GroupsPage />
            </Match>
            <Match when={match()?.name === "keys" && match()}>
              {(m) => <KeysPage groupId={Number(m().params.id)} />}
            </Match>
            <Match when={match()?.name === "accessKeys"}>
              <AccessKeysPage />
            </Match>
            <Match when={match()?.name === "logs"}>
              <LogsPage />
            </Match>
            <Match when={match()?.name === "settings"}>
              <SettingsPage />
            </Match>
          </Switch>
        </Shell>
      </Show>
    </AppContext.Provider>
  );
}

render(() => <Root />, document.getElementById("root")!);
