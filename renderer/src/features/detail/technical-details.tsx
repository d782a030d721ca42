import { useState } from 'react';
import type { DocumentDetail } from '../../../../app/contract';

/**
 * What a support person needs and a clerk does not: codes, XPath locations, the access point's
 * own answer, ids. Folded away under the plain message; one click shows it, one copies it.
 */
export function technicalText(d: DocumentDetail): string {
  const lines: string[] = [`Document #${d.id} (${d.fileName}), state ${d.state}`];
  if (d.problem) {
    lines.push(`Problem code: ${d.problem.code}`);
    lines.push(`Message: ${d.problem.message}`);
  }
  // The step that led here, as recorded (e.g. the access point's status, code and answer).
  const last = d.timeline.findLast((t) => t.to === d.state && (t.technical ?? t.detail));
  if (d.problem && last) lines.push(`Recorded with it: ${last.technical ?? last.detail}`);
  if (d.transactionId) lines.push(`Transaction id: ${d.transactionId}`);
  if (d.attempts > 0) lines.push(`Attempts: ${d.attempts}`);
  for (const f of d.validation?.findings ?? []) {
    lines.push(`${f.flag} ${f.rule} at ${f.location}`);
  }
  const ap = d.validation?.accessPoint;
  if (ap) {
    for (const m of [...ap.errors, ...ap.warnings])
      lines.push(`Access point ${m.rule} at ${m.location}: ${m.message}`);
  }
  // What the access point or the network said at each step, exactly (the timeline shows words).
  const said = d.timeline.filter((t) => t.technical);
  if (said.length) lines.push('As recorded on the timeline:');
  for (const t of said) lines.push(`${new Date(t.at).toISOString()} ${t.to}: ${t.technical}`);
  return lines.join('\n');
}

/** The "Show technical details" disclosure with a Copy button. */
export function TechnicalDetails({ d }: { d: DocumentDetail }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const text = technicalText(d);
  return (
    <details className="technical-details" data-testid="technical-details">
      <summary>Show technical details</summary>
      <pre data-testid="technical-text">{text}</pre>
      <button
        type="button"
        className="button"
        data-testid="copy-technical"
        onClick={() => {
          navigator.clipboard.writeText(text).then(
            () => setCopied('yes'),
            () => setCopied('no'),
          );
        }}
      >
        Copy
      </button>
      <span role="status" className="muted small">
        {copied === 'yes' ? ' Copied.' : copied === 'no' ? ' Could not copy: select the text.' : ''}
      </span>
    </details>
  );
}
