import {
  accessPointAddressLabel,
  BUSINESS_RESPONSE_STATES,
  FILTER_STATES,
  type DocumentDetail,
} from '../../../../app/contract';
import { formatDuration, formatTime, shownFileName } from '../../lib/format';
import { STATUS_WORDS } from '../../lib/status-words';
import { DetailSection, Field } from './detail-fields';
import { useNow } from '../../hooks/use-now';

/** A business response code in words (an unknown code as given). */
function responseWords(code: string | null): string | null {
  if (code === null) return null;
  const state = Object.hasOwn(BUSINESS_RESPONSE_STATES, code)
    ? BUSINESS_RESPONSE_STATES[code as keyof typeof BUSINESS_RESPONSE_STATES]
    : null;
  return state ? STATUS_WORDS[state] : `Response "${code}"`;
}

/** Waiting to be sent, or held for a decision: the access point it is queued for. */
const WAITING = new Set<string>([...FILTER_STATES.progress, 'held']);

/**
 * Where the document went ("Sent through") or waits to go ("Queued for"); nothing for one that
 * never went and will not (walk 13: a PDF read "Access point 127.0.0.1 (Test)").
 */
function accessPointField(d: DocumentDetail): { label: string; value: string | null } {
  const where = d.environment ? accessPointAddressLabel(d.accessPoint, d.environment) : null;
  if (d.transactionId !== null) return { label: 'Sent through', value: where };
  return { label: 'Queued for', value: WAITING.has(d.state) ? where : null };
}

/** How long after its acceptance an undelivered invoice is said to be late (ms). */
export const DELIVERY_LATE_MS = 10 * 60_000;

/**
 * What "Delivered" says of an invoice the access point accepted and has not confirmed delivered:
 * nothing while that is usual, and that it is late past DELIVERY_LATE_MS (walk 19: an hour of a
 * green "Accepted by access point" and "Delivered —", counted under Sent, said nothing).
 */
export function deliveredValue(
  d: Pick<DocumentDetail, 'state' | 'acceptedAt' | 'deliveredAt'> &
    Partial<Pick<DocumentDetail, 'problem'>>,
  now: number,
): string | null {
  if (d.deliveredAt !== null) return formatTime(d.deliveredAt);
  if (d.state !== 'accepted' || d.acceptedAt === null || now - d.acceptedAt < DELIVERY_LATE_MS)
    return null;
  // Its problem says it is no longer asked about, and why: no "keeps asking" beside it.
  if (d.problem) return 'Not confirmed';
  return 'Not confirmed yet, although deliveries usually take less than a minute. Peppol Desk keeps asking the access point; if it lasts, ask your provider about the transaction.';
}

/** Where the document went and when: access point, delivery, and the buyer's response. */
export function DeliverySection({ d }: { d: DocumentDetail }) {
  const now = useNow(60_000);
  const accessPoint = accessPointField(d);
  const sentToDelivered =
    d.acceptedAt !== null && d.deliveredAt !== null ? d.deliveredAt - d.acceptedAt : null;
  return (
    <DetailSection title="Delivery">
      <dl className="fields">
        {accessPoint.value !== null && (
          <Field label={accessPoint.label} value={accessPoint.value} testId="detail-access-point" />
        )}
        <Field label="Transaction id" value={d.transactionId} testId="detail-transaction-id" />
        <Field label="Accepted by access point" value={formatTime(d.acceptedAt)} />
        {/* The access point's own time of delivery: the timeline shows when Peppol Desk heard of
            it, which can be later (a walk read two "Delivered" times as a contradiction). */}
        <Field
          label="Delivered (access point's time)"
          value={deliveredValue(d, now)}
          testId="detail-delivered-at"
        />
        <Field
          label="Accepted to delivered"
          value={sentToDelivered === null ? null : formatDuration(sentToDelivered)}
        />
        <Field
          label="Buyer's response"
          value={responseWords(d.businessResponse)}
          testId="detail-business-response"
        />
        {d.businessResponse && (
          <>
            <Field label="Response received" value={formatTime(d.businessResponseAt)} />
            <Field
              label="Buyer's note"
              value={d.businessResponseNote}
              testId="detail-business-response-note"
            />
          </>
        )}
        <Field label="File" value={shownFileName(d.fileName)} />
      </dl>
    </DetailSection>
  );
}
