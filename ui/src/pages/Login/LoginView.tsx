// The login form: one password field for the admin key.

import { Show } from "solid-js";
import { useApp } from "../../components/app-context.tsx";

export function LoginView(props: { busy: boolean; error: string; onSubmit: (authKey: string) => void }) {
  const { t } = useApp();
  let input!: HTMLInputElement;
  return (
    <main class="login-page">
      <form
        class="card login-card"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit(input.value);
        }}
      >
        <h1>poolgate</h1>
        <p class="muted">{t("login.intro")}</p>
        <label for="auth-key">{t("login.adminKey")}</label>
        <input id="auth-key" ref={input} type="password" autocomplete="current-password" data-testid="login-key" aria-invalid={props.error ? "true" : undefined} autofocus />
        <small class="help">{t("login.help")}</small>
        <Show when={props.error}>
          <p class="error-text" role="alert" data-testid="login-error">{props.error}</p>
        </Show>
        <button type="submit" class="primary" disabled={props.busy} data-testid="login-submit">
          {props.busy ? t("login.signingIn") : t("login.signIn")}
        </button>
      </form>
    </main>
  );
}
