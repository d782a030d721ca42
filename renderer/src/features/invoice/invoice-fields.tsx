import type { ReactNode } from 'react';
import type { ViewAddress } from '../../../../app/contract';
import { formatAmount, formatDecimal } from '../../lib/format';

/** A label with its EN 16931 business term on hover ("BT-13 Purchase order reference"). */
export function Term({ term, children }: { term: string; children: ReactNode }) {
  return <span title={term}>{children}</span>;
}

/** One label/value pair; nothing is shown for an empty value. */
export function Row({ term, label, value }: { term: string; label: string; value: ReactNode }) {
  if (value === null || value === undefined || value === '') return null;
  return (
    <div className="field">
      <dt>
        <Term term={term}>{label}</Term>
      </dt>
      <dd>{value}</dd>
    </div>
  );
}

/**
 * A titled part of the invoice. Its heading names it for screen readers (aria-labelledby), so the
 * id has to be unique in the dialog: `iv-${id}-title`.
 */
export function InvoiceSection({
  id,
  heading,
  testId,
  className,
  children,
}: {
  id: string;
  heading: ReactNode;
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      className={className ? `iv-section ${className}` : 'iv-section'}
      aria-labelledby={`iv-${id}-title`}
      data-testid={testId}
    >
      <h3 id={`iv-${id}-title`}>{heading}</h3>
      {children}
    </section>
  );
}

/** The lines of a postal address, in the order they are written on an envelope. */
export function addressLines(a: ViewAddress | null): string[] {
  if (!a) return [];
  const city = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [a.street, a.additionalStreet, a.addressLine, city, a.subdivision, a.country].filter(
    (s): s is string => !!s,
  );
}

/** A VAT or discount rate as "21%"; nothing for no rate. */
export function percent(rate: string | null): string {
  return rate === null ? '' : `${formatDecimal(rate)}%`;
}

/** An amount in the invoice currency. */
export function Money({ value, currency }: { value: string | null; currency: string | null }) {
  return <>{formatAmount(value, currency)}</>;
}
