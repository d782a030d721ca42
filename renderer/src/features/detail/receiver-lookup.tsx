import { useState } from 'react';
import type { DocumentDetail, ErrorValue } from '../../../../app/contract';
import { lastLookupFailure, LOOKUP_FAILED_WORDS } from '../../../../app/domain/lookup-words';
import { documentTypeWords, formatAge, formatTime } from '../../lib/format';
import { useConnectionStore } from '../../stores/connection-store';
import { refreshLookup } from '../../stores/detail-store';
import { useNow } from '../../hooks/use-now';

/** What the access point said about the buyer, how old that answer is, and a way to ask again. */
export function ReceiverLookup({ d }: { d: DocumentDetail }) {
  const now = useNow(15_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorValue | null>(null);
  // On a team outbox the desk that adds a document looks its receiver up; another desk has no
  // answer of its own until it asks again (which also sends the team's documents to a receiver
  // found now).
  const onTeam = useConnectionStore((s) => Boolean(s.status?.team));
  // The built-in Sandbox takes every buyer as registered but its test IDs (walk 22: "Found:
  // Sandbox participant …" for a buyer the real network did not know).
  const inSandbox = useConnectionStore((s) => s.status?.environment === 'sandbox');
  const lookup = d.lookup;
  if (!d.receiverId) return null;
  // No answer known, and the timeline says the last lookup could not be made: "Not looked up yet"
  // beside it was not true (walk 24 B12).
  const failure = lookup === null ? lastLookupFailure(d.timeline) : null;

  const refresh = async () => {
    setBusy(true);
    setError(null);
    const result = await refreshLookup(d.id);
    setBusy(false);
    if (!result.ok) setError(result.error);
  };

  const capabilities = lookup?.capabilities ?? [];
  return (
    <section aria-labelledby="lookup-heading" data-testid="receiver-lookup">
      <h3 id="lookup-heading">Receiver on Peppol</h3>
      <div className="lookup">
        <p className="lookup-verdict" data-testid="lookup-verdict" aria-live="polite">
          {lookup === null && failure ? (
            <span className="status status-attention" data-failure={failure}>
              <span className="status-icon" aria-hidden="true">
                !
              </span>
              {LOOKUP_FAILED_WORDS[failure]}
            </span>
          ) : lookup === null ? (
            <span className="muted">
              {onTeam
                ? 'On a team outbox, the desk that adds a document checks its receiver before queuing it.'
                : d.state === 'invalid'
                  ? 'Not looked up: an invoice with errors is not sent. Its buyer is looked up when the corrected file is added.'
                  : 'Not looked up yet.'}
            </span>
          ) : lookup.found ? (
            <span className="status status-done">
              <span className="status-icon" aria-hidden="true">
                ✓
              </span>
              {inSandbox
                ? 'Found in the built-in Sandbox (practice: every buyer counts as registered there, except its own test IDs, so this says nothing of the real Peppol network)'
                : `Found${lookup.name ? `: ${lookup.name}` : ''}`}
            </span>
          ) : (
            <span className="status status-attention">
              <span className="status-icon" aria-hidden="true">
                !
              </span>
              Not registered on Peppol
            </span>
          )}
        </p>
        {lookup && (
          <p className="muted small" data-testid="lookup-age">
            <time
              dateTime={new Date(lookup.fetchedAt).toISOString()}
              title={formatTime(lookup.fetchedAt)}
            >
              {d.state === 'invalid'
                ? // Walk 23: "checked 2 min ago" of an invoice with errors, never looked up itself
                  // (the answer is the one remembered for its buyer).
                  `this buyer was checked ${formatAge(lookup.fetchedAt, now)} (an invoice with errors is not sent)`
                : `checked ${formatAge(lookup.fetchedAt, now)}`}
            </time>
          </p>
        )}
        <button
          type="button"
          className="button button-small"
          data-testid="lookup-refresh"
          disabled={busy}
          aria-describedby="lookup-heading"
          onClick={() => void refresh()}
        >
          {busy ? 'Checking…' : lookup === null ? 'Check now' : 'Check again'}
        </button>
      </div>
      {capabilities.length > 0 && (
        <ul className="capabilities" aria-label="Accepts" data-testid="lookup-capabilities">
          {capabilities.map((c, i) => (
            <li key={`${c.document_type}-${i}`} title={`${c.document_type}\n${c.process_id}`}>
              {documentTypeWords(c.document_type)}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="problem-message" role="alert" data-testid="lookup-error">
          {error.message}
        </p>
      )}
    </section>
  );
}
