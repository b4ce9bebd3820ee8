// A coloured label for a key or request status.

export function StatusBadge(props: { status: string; label: string }) {
  return <span class={`badge badge-${props.status}`}>{props.label}</span>;
}
