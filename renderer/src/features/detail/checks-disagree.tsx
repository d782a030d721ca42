import type { DocumentDetail } from '../../../../app/contract';
import { readsAsWords } from '../../../../app/domain/plain-words';
import { locationWords } from '../../lib/location-words';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Both verdicts side by side when our check and the access point's own check disagree (issue 10):
 * the clerk decides with both in view, and "Send anyway" is recorded on the timeline. Locations
 * in business terms; the access point's XPaths and raw text stay in the technical details.
 */
export function ChecksDisagree({ d }: { d: DocumentDetail }) {
  const v = d.validation;
  const ap = v?.accessPoint;
  if (!v?.checksDisagree || !ap) return null;
  const ours = v.findings.filter((f) => f.flag === 'fatal');
  const rules = [...new Set(ours.map((f) => f.rule))].join(', ');
  return (
    <section aria-labelledby="checks-disagree-heading" data-testid="checks-disagree">
      <h3 id="checks-disagree-heading">Two checks disagree</h3>
      <dl className="fields">
        <dt>Our check</dt>
        <dd data-testid="our-verdict">
          {ours.length === 0
            ? 'Valid: no errors found.'
            : `Not valid: ${plural(ours.length, 'error', 'errors')} (${rules}), listed under “What needs fixing”.`}
        </dd>
        <dt>Access point’s check</dt>
        <dd data-testid="access-point-verdict">
          {ap.valid
            ? 'Valid: no errors found.'
            : `Not valid: ${plural(ap.errors.length, 'error', 'errors')}.`}
        </dd>
      </dl>
      {ap.errors.length > 0 && (
        <ul className="findings" data-testid="access-point-errors">
          {ap.errors.map((e, i) => (
            <li key={`${e.rule}-${i}`} className="finding finding-fatal" data-rule={e.rule}>
              <span className="finding-flag">Access point</span>
              <span className="finding-message">
                {readsAsWords(e.message)
                  ? e.message
                  : 'The access point gave a technical reason (see technical details).'}
              </span>
              {e.location && locationWords(e.location) && (
                <span className="finding-location" data-testid="access-point-location">
                  Where in the invoice: {locationWords(e.location)}
                </span>
              )}
              {e.rule && <code className="finding-rule">{e.rule}</code>}
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        {d.state === 'held'
          ? 'Fix the file and drop it again, cancel it, or choose Send anyway: that decision is written on the timeline with your name and the time.'
          : 'Both verdicts as they were when the document was checked.'}
      </p>
    </section>
  );
}
