// An <a> that navigates inside the app without reloading (a modified click opens as usual).

import type { JSX } from "solid-js";
import { splitProps } from "solid-js";
import { useApp } from "./app-context.tsx";

export function Link(props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const app = useApp();
  const [own, rest] = splitProps(props, ["href", "onClick"]);
  return (
    <a
      {...rest}
      href={own.href}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        app.navigate(own.href);
      }}
    />
  );
}
