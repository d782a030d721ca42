import type { ReactNode } from 'react';

/** One label/value pair of the panel; an empty value shows as a dash. */
export function Field({
  label,
  value,
  testId,
}: {
  label: string;
  value: string | number | null;
  testId?: string;
}) {
  return (
    <div className="field">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value === null || value === '' ? '—' : value}</dd>
    </div>
  );
}

/** A part of the panel named by its heading, for screen readers as well as for the eye. */
export function DetailSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}
