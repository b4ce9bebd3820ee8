// The admin UI's client routes: one entry per page; unknown paths show the not-found page.

import type { RouteDef } from "./lib/router.ts";

export type RouteName = "dashboard" | "login" | "groups" | "keys" | "accessKeys" | "logs" | "settings";

export const ROUTES: readonly RouteDef<RouteName>[] = [
  { name: "dashboard", pattern: "/" },
  { name: "login", pattern: "/login" },
  { name: "groups", pattern: "/groups" },
  { name: "keys", pattern: "/groups/:id/keys" },
  { name: "accessKeys", pattern: "/access-keys" },
  { name: "logs", pattern: "/logs" },
  { name: "settings", pattern: "/settings" },
];

/** Header navigation, in order (login and a group's keys are reached otherwise, so have no nav label). */
export const NAV: readonly { name: Exclude<RouteName, "login" | "keys">; path: string }[] = [
  { name: "dashboard", path: "/" },
  { name: "groups", path: "/groups" },
  { name: "accessKeys", path: "/access-keys" },
  { name: "logs", path: "/logs" },
  { name: "settings", path: "/settings" },
];
