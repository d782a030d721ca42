import type { DocumentDetail, DocumentState } from '../../../../app/contract';
import { visibleText } from '../../../../app/domain/visible-text';
import { formatTime } from '../../lib/format';
import { STATUS_WORDS } from '../../lib/status-words';
import { DetailSection } from './detail-fields';
import { LinkedText } from './linked-text';
import { foldRepeats } from './timeline-repeats';

/**
 * On a team outbox: the desk that added the document and the one the access point accepted it
 * from: the desk of the step into Accepted. A note written later on an accepted invoice (such as
 * "no longer followed" after the team moved to another access point) is not its sending (walk
 * 17b: "Sent by ben" of an invoice cleo sent).
 */
export function teamDesksOf(timeline: DocumentDetail['timeline']): {
  addedBy: string | null;
  sentBy: string | null;
} {
  return {
    addedBy: timeline[0]?.desk ?? null,
    sentBy: timeline.findLast((t) => t.to === 'accepted' && t.from !== 'accepted')?.desk ?? null,
  };
}

function TeamDesks({ d }: { d: DocumentDetail }) {
  const { addedBy, sentBy } = teamDesksOf(d.timeline);
  if (!addedBy && !sentBy) return null;
  return (
    <p className="muted small" data-testid="timeline-desks">
      {addedBy && <span data-testid="timeline-added-by">Added on {addedBy}</span>}
      {addedBy && sentBy && ' · '}
      {sentBy && <span data-testid="timeline-sent-by">Sent by {sentBy}</span>}
    </p>
  );
}

/** Words compared loosely: case, "the" and punctuation aside. */
function loose(words: string): string {
  return words
    .toLowerCase()
    .replace(/\bthe\b/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * A step's detail, unless it only repeats its state's words (walk 12: "Accepted by access point —
 * accepted by the access point"); a detail that starts with them and a colon keeps only the rest
 * (walk 22: "Paid — Paid: Paid on 2026-12-07", "Rejected by buyer — Rejected by buyer: …").
 */
export function stepDetail(to: DocumentState, detail: string | null): string | null {
  if (!detail) return null;
  const words = STATUS_WORDS[to];
  if (loose(detail) === loose(words)) return null;
  // Written so before 2026-12-07 under "Receiver not on Peppol" (walk 22b).
  if (to === 'unreachable' && loose(detail) === 'receiver not found') return null;
  const colon = detail.indexOf(': ');
  if (colon > 0 && loose(detail.slice(0, colon)) === loose(words)) {
    return detail.slice(colon + 2).trim() || null;
  }
  // "Replaced by a corrected file — Replaced by the corrected file x.xml (document #7)" (walk
  // 22b): the file and the document once.
  const replaced = /^Replaced by (?:the|a) corrected file\s+(.+)$/s.exec(detail);
  if (to === 'superseded' && replaced) return replaced[1]!;
  return detail;
}

/**
 * The words of a step: its state's, and its detail. A clerk's Retry puts a document back into the
 * queue (`ready`, `queued` or `received`), where the state's words ("Checked", "Queued") did not
 * say what happened (walk 22: "Checked — Retry requested after the delivery failed …"): such a
 * step is called "Retry requested", its detail the rest.
 */
export function stepWords(
  to: DocumentState,
  detail: string | null,
): { label: string; detail: string | null } {
  if (to === 'ready' || to === 'queued' || to === 'received') {
    for (const { label, words } of DECISIONS) {
      const m = words.exec(detail ?? '');
      if (!m) continue;
      const rest = m[1]!.replace(/^\((.*)\)$/s, '$1').trim();
      return { label, detail: rest || null };
    }
  }
  return { label: STATUS_WORDS[to], detail: stepDetail(to, detail) };
}

/**
 * Steps back into the queue that a decision or a move made, called by it (walk 26 F8: "Checked —
 * Send anyway, decided by the user", "Checked — Moved to …", "Checked — Back on its way …"),
 * its detail the rest ("Moved" — "to …").
 */
const DECISIONS: { label: string; words: RegExp }[] = [
  { label: 'Retry requested', words: /^Retry requested\b\s*(.*)$/s },
  { label: 'Send anyway', words: /^Send anyway,\s*(.*)$/s },
  { label: 'Moved', words: /^Moved (to .*)$/s },
  { label: 'Back on its way', words: /^Back on its way:\s*(.*)$/s },
];

/** Every state the document went through, oldest first (on a team outbox, with each step's desk). */
export function DocumentTimeline({ d }: { d: DocumentDetail }) {
  return (
    <DetailSection title="Timeline">
      <TeamDesks d={d} />
      <ol className="timeline" data-testid="timeline">
        {foldRepeats(d.timeline).map((item) => {
          if (item.kind === 'repeat') {
            const desks = item.desks.length > 0 ? ` · ${item.desks.join(', ')}` : '';
            return (
              <li key={`r${item.from}`} className="timeline-note" data-testid="timeline-repeat">
                <time dateTime={new Date(item.from).toISOString()}>{formatTime(item.from)}</time>
                <span className="muted">
                  The same {item.times} more times, until {formatTime(item.until)}
                  {desks}
                </span>
              </li>
            );
          }
          const { step: t, index: i } = item;
          // A note on the document in its state (no step): said as a note, not as the state
          // again (walk 18: "Accepted by access point" twice in the same second, the second
          // with a credit note's words about the invoice it refers to).
          const note = t.from === t.to;
          const words = note ? { label: 'Note', detail: t.detail } : stepWords(t.to, t.detail);
          // A file name's characters that would reorder or break the line, written out as the
          // list writes them (walk 25 B6: "Received — rtl-‮gmx.pdf.xml" shown reversed).
          const detail = words.detail === null ? null : visibleText(words.detail);
          return (
            <li key={i} className={note ? 'timeline-note' : undefined}>
              <time dateTime={new Date(t.at).toISOString()}>{formatTime(t.at)}</time>
              <span>{words.label}</span>
              {detail && (
                <span className="muted">
                  {' '}
                  — <LinkedText text={detail} />
                </span>
              )}
              {t.desk && <span className="timeline-desk"> · {t.desk}</span>}
            </li>
          );
        })}
      </ol>
    </DetailSection>
  );
}
