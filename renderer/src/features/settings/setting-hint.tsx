import type { ReactNode } from 'react';

/** The id of a setting's hint, for its field's `aria-describedby`. */
export function hintId(name: string): string {
  return `settings-hint-${name}`;
}

/**
 * The hint's id after the team's "shared" note (when there is one: it says first that a change
 * applies to every desk), as one `aria-describedby`.
 */
export function describedBy(name: string, shared: string | undefined): string {
  return shared ? `${shared} ${hintId(name)}` : hintId(name);
}

/** One line under a setting saying what it changes for the clerk, in the clerk's words. */
export function Hint({ name, children }: { name: string; children: ReactNode }) {
  return (
    <p className="muted small setting-hint" id={hintId(name)} data-testid={hintId(name)}>
      {children}
    </p>
  );
}
