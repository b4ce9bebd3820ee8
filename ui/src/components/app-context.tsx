// What every page gets from the shell: the API client, the translator and locale, navigation,
// a ticking clock for countdowns, and one place that turns an error into words for the user.

import { createContext, useContext, type Accessor } from "solid-js";
import type { ApiClient } from "../api/client.ts";
import type { Locale, Translate } from "../lib/i18n.ts";

export interface App {
  api: ApiClient;
  t: Translate;
  locale: Accessor<Locale>;
  setLocale(locale: Locale): void;
  theme: Accessor<"light" | "dark">;
  toggleTheme(): void;
  path: Accessor<string>;
  search: Accessor<string>;
  navigate(to: string, options?: { replace?: boolean }): void;
  /** Now, updated every second (for countdowns and relative times). */
  now: Accessor<number>;
  /** A failure in plain words; a 401 also sends the user to the login page. */
  describeError(error: unknown): string;
}

export const AppContext = createContext<App>();

export function useApp(): App {
  const app = useContext(AppContext);
  if (!app) throw new Error("useApp outside AppContext");
  return app;
}
