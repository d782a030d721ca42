import type { DocumentDetail } from '../../../../app/contract';
import { locationWords } from '../../lib/location-words';

/**
 * The heading over the findings: what needs fixing, unless nothing does any more (walk 22: a row
 * "Replaced by a corrected file" still said "What needs fixing" over the old errors) or the
 * findings are only warnings, which never stop an invoice.
 */
export function findingsHeading(d: Pick<DocumentDetail, 'state' | 'validation'>): string {
  if (d.state === 'superseded') return 'What was wrong (the corrected file replaced it)';
  if (d.state === 'cancelled') return 'What was wrong';
  if (!d.validation?.findings.some((f) => f.flag === 'fatal'))
    return 'Warnings (they do not stop the invoice)';
  return 'What needs fixing';
}

/** The validation findings, errors and warnings, each with where in the invoice it is. */
export function ValidationFindings({ d }: { d: DocumentDetail }) {
  if (!d.validation || d.validation.findings.length === 0) return null;
  return (
    <section aria-label="Validation findings">
      <h3>{findingsHeading(d)}</h3>
      <ul className="findings" data-testid="findings">
        {d.validation.findings.map((f, i) => (
          <li
            key={`${f.rule}-${i}`}
            className={`finding finding-${f.flag}`}
            data-testid="finding"
            data-rule={f.rule}
          >
            <span className="finding-flag">{f.flag === 'fatal' ? 'Error' : 'Warning'}</span>
            <span className="finding-message">{f.message}</span>
            {f.hint && <span className="finding-hint">{f.hint}</span>}
            {f.location && locationWords(f.location) && (
              <span className="finding-location" data-testid="finding-location">
                Where in the invoice: {locationWords(f.location)}
              </span>
            )}
            <code className="finding-rule" aria-label={`Rule ${f.rule}`}>
              {f.rule}
            </code>
          </li>
        ))}
      </ul>
      <p className="muted small">Checked with {d.validation.ruleset}</p>
    </section>
  );
}
