// The page for a client route that does not exist.

import { useApp } from "../../components/app-context.tsx";
import { Link } from "../../components/Link.tsx";

export function NotFoundPage() {
  const { t } = useApp();
  return (
    <section>
      <h1>{t("notFound.title")}</h1>
      <p><Link href="/">{t("notFound.back")}</Link></p>
    </section>
  );
}
