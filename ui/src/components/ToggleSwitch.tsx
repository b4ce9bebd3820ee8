// An on/off switch (a checkbox with role="switch"), shared by the enable columns and the boolean
// settings. Controlled: the caller owns the value and gets the new one on change.

export function ToggleSwitch(props: { checked: boolean; onChange: (checked: boolean) => void; label?: string; id?: string; describedBy?: string; testid?: string }) {
  return (
    <label class="switch">
      <input
        id={props.id}
        aria-describedby={props.describedBy}
        type="checkbox"
        role="switch"
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        aria-label={props.label}
        data-testid={props.testid}
      />
      <span />
    </label>
  );
}
