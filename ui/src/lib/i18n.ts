// Message catalogs and locale choice: pick a supported locale from the browser's languages and
// fill {placeholders} in a catalog message. Pure; the reactive current locale lives in main.tsx.

import { en, type MessageKey } from "../i18n/en.ts";
import { zhCN } from "../i18n/zh-cn.ts";

export type Locale = "en" | "zh-CN";
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];
const CATALOGS: Record<Locale, Record<MessageKey, string>> = { en, "zh-CN": zhCN };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** The first supported locale among the browser's preferences; Chinese variants map to zh-CN. */
export function pickLocale(languages: readonly string[], stored?: string | null): Locale {
  if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  for (const lang of languages) {
    const lower = lang.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

/** Replaces {name} with params.name; unknown placeholders stay visible. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function createTranslate(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  return (key, params) => interpolate(catalog[key] ?? en[key] ?? key, params);
}

export type { MessageKey };
