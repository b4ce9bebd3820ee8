// Light or dark: the stored choice wins, else the system preference.

export type Theme = "light" | "dark";

export function initialTheme(stored: string | null, prefersDark: boolean): Theme {
  if (stored === "light" || stored === "dark") return stored;
  return prefersDark ? "dark" : "light";
}
