import type { DocumentDetail, ParticipantId } from '../../../../app/contract';
import { unitWords } from '../../lib/code-words';
import { formatAmount } from '../../lib/format';
import { useInvoiceViewStore } from '../../stores/invoice-view-store';
import { Field } from './detail-fields';

function participant(p: ParticipantId | null): string {
  return p ? `${p.scheme}:${p.value}` : '—';
}

/** The invoice lines from the summary (the first ones only, for very long invoices). */
function InvoiceLines({ summary }: { summary: NonNullable<DocumentDetail['summary']> }) {
  const lines = summary.lines ?? [];
  return (
    <table className="invoice-lines" data-testid="invoice-lines">
      <caption className="muted small">
        {lines.length < summary.lineCount
          ? `First ${lines.length} of ${summary.lineCount} lines`
          : `${lines.length} ${lines.length === 1 ? 'line' : 'lines'}`}
      </caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Item</th>
          <th scope="col" className="num">
            Quantity
          </th>
          <th scope="col" className="num">
            Net amount
          </th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l, i) => (
          <tr key={`${l.id ?? ''}-${i}`} data-testid="invoice-line">
            <td>{l.id ?? '—'}</td>
            <td>{l.name ?? '—'}</td>
            <td className="num">
              {l.quantity ?? '—'}
              {l.unitCode ? ` ${unitWords(l.unitCode, l.quantity)}` : ''}
            </td>
            <td className="num">{formatAmount(l.netAmount, summary.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The invoice at a glance, with the button that opens all of it. */
export function InvoiceSummary({ d }: { d: DocumentDetail }) {
  const s = d.summary;
  const amount = (value: string | null | undefined) =>
    formatAmount(value ?? null, s?.currency ?? null);
  const title = (s?.docType ?? d.docType) === 'CreditNote' ? 'Credit note' : 'Invoice';
  return (
    <section aria-label={title}>
      <div className="section-head">
        <h3>{title}</h3>
        <button
          type="button"
          className="button"
          data-testid="open-invoice-view"
          onClick={() => useInvoiceViewStore.getState().open(d.id)}
        >
          {/* Walk 10: a credit note's details offered "View whole invoice". */}
          View whole {title === 'Credit note' ? 'credit note' : 'invoice'}
        </button>
      </div>
      <dl className="fields">
        <Field
          label="Type"
          value={s?.docType === 'CreditNote' ? 'Credit note' : (s?.docType ?? d.docType)}
        />
        <Field
          label={
            (s?.docType ?? d.docType) === 'CreditNote' ? 'Credit note number' : 'Invoice number'
          }
          value={d.invoiceNumber}
          testId="detail-invoice-number"
        />
        <Field label="Seller" value={s?.sellerName ?? null} />
        <Field label="Seller Peppol ID" value={participant(s?.sellerEndpoint ?? null)} />
        <Field label="Buyer" value={d.buyerName} />
        <Field
          label="Buyer Peppol ID"
          value={d.receiverId ?? participant(s?.buyerEndpoint ?? null)}
        />
        {s?.precedingInvoices && s.precedingInvoices.length > 0 && (
          // BT-25: what a credit note or corrected invoice is for (a rejected one it answers).
          <Field
            label={s.precedingInvoices.length === 1 ? 'For invoice' : 'For invoices'}
            value={s.precedingInvoices.join(', ')}
            testId="detail-preceding-invoices"
          />
        )}
        <Field label="Issue date" value={d.issueDate} />
        <Field label="Due date" value={s?.dueDate ?? null} />
        <Field label="Total without VAT" value={amount(s?.taxExclusiveAmount)} />
        <Field label="Total with VAT" value={amount(s?.taxInclusiveAmount)} />
        <Field
          label={title === 'Credit note' ? 'Amount credited' : 'Amount due'}
          value={formatAmount(d.amount, d.currency)}
        />
        <Field label="Lines" value={s?.lineCount ?? null} />
      </dl>
      {s?.lines && s.lines.length > 0 && <InvoiceLines summary={s} />}
    </section>
  );
}
