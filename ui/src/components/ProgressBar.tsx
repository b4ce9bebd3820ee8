// A determinate progress bar with its numbers, announced to screen readers.

export function ProgressBar(props: { value: number; max: number; label: string; testid?: string }) {
  const pct = () => (props.max > 0 ? Math.round((props.value / props.max) * 100) : 0);
  return (
    <div class="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={props.max} aria-valuenow={props.value} data-testid={props.testid}>
      <div class="progress-fill" style={{ width: `${pct()}%` }} />
      <span class="progress-text">{props.label}</span>
    </div>
  );
}
