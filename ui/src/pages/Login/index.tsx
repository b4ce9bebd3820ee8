// Login: exchanges the admin key for a session cookie, then goes where the visitor was headed.

import { createSignal } from "solid-js";
import { login } from "../../api/session.ts";
import { useApp } from "../../components/app-context.tsx";
import { LoginView } from "./LoginView.tsx";

export function LoginPage() {
  const app = useApp();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal("");
  const submit = async (authKey: string) => {
    if (!authKey.trim()) {
      setError(app.t("login.required"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      await login(app.api, authKey.trim());
      const next = new URLSearchParams(app.search()).get("next");
      app.navigate(next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/", { replace: true });
    } catch (e) {
      setError(app.describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return <LoginView busy={busy()} error={error()} onSubmit={submit} />;
}
