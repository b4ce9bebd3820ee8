// /api/auth: exchange the admin key for a session cookie, end it, ask who is signed in.

import type { ApiClient } from "./client.ts";

export interface Me {
  authenticated: boolean;
  via?: "bearer" | "session";
  expires_at?: number | null;
  /** The admin key in force is weak: the dashboard warns. */
  admin_key_weak?: boolean;
}

export const login = (api: ApiClient, authKey: string) => api.request<Me>("POST", "/auth/login", { body: { auth_key: authKey } });
export const logout = (api: ApiClient) => api.request<Me>("POST", "/auth/logout");
export const me = (api: ApiClient) => api.request<Me>("GET", "/auth/me");
