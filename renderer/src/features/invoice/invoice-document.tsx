import type { InvoiceView as View } from '../../../../app/contract';
import { typeCodeWords } from '../../lib/code-words';
import { DocumentAllowancesCharges, Totals, VatBreakdown } from './invoice-amounts';
import { Attachments } from './invoice-attachments';
import { addressLines, InvoiceSection, Row, Term } from './invoice-fields';
import { InvoiceLines } from './invoice-lines';
import { PaymentSection } from './invoice-payment';
import { PartyBlock } from './party-block';

/** Number, dates, currency and delivery: what identifies the document. */
function DocumentHead({ view }: { view: View }) {
  const isCredit = view.docType === 'CreditNote';
  return (
    <section className="iv-section iv-head" aria-label="Document">
      <dl className="fields">
        <Row
          term="BT-1 Invoice number"
          label={isCredit ? 'Credit note number' : 'Invoice number'}
          value={view.number}
        />
        <Row term="BT-3 Invoice type code" label="Type" value={typeCodeWords(view.typeCode)} />
        <Row term="BT-2 Invoice issue date" label="Issue date" value={view.issueDate} />
        <Row term="BT-9 Payment due date" label="Due date" value={view.dueDate} />
        <Row
          term="BT-7 Value added tax point date"
          label="Tax point date"
          value={view.taxPointDate}
        />
        <Row term="BT-5 Invoice currency code" label="Currency" value={view.currency} />
        <Row
          term="BG-14 Invoicing period"
          label="Invoicing period"
          value={
            view.invoicePeriod
              ? `${view.invoicePeriod.start ?? '…'} – ${view.invoicePeriod.end ?? '…'}`
              : null
          }
        />
        <Row term="BT-72 Actual delivery date" label="Delivery date" value={view.delivery?.date} />
        <Row
          term="BG-15 Deliver to address"
          label="Deliver to"
          value={
            [view.delivery?.partyName, ...addressLines(view.delivery?.address ?? null)]
              .filter(Boolean)
              .join(', ') || null
          }
        />
      </dl>
    </section>
  );
}

/** The whole document, section by section, in the order of the EN 16931 model. */
export function InvoiceDocument({ view, printing }: { view: View; printing: boolean }) {
  return (
    <article className="iv-doc" data-testid="iv-doc">
      <DocumentHead view={view} />

      <div className="iv-parties">
        <PartyBlock title="Seller" term="BG-4 Seller" p={view.seller} testId="iv-seller" />
        <PartyBlock title="Buyer" term="BG-7 Buyer" p={view.buyer} testId="iv-buyer" />
        <PartyBlock title="Payee" term="BG-10 Payee" p={view.payee} testId="iv-payee" />
        <PartyBlock
          title="Seller's tax representative"
          term="BG-11 Seller tax representative party"
          p={view.taxRepresentative}
          testId="iv-tax-rep"
        />
      </div>

      {view.references.length > 0 && (
        <InvoiceSection id="refs" testId="iv-references" heading="References">
          <dl className="fields">
            {view.references.map((r) => (
              <Row key={r.term} term={`${r.term} ${r.label}`} label={r.label} value={r.value} />
            ))}
          </dl>
        </InvoiceSection>
      )}

      {view.notes.length > 0 && (
        <InvoiceSection
          id="notes"
          testId="iv-notes"
          heading={<Term term="BT-22 Invoice note">Notes</Term>}
        >
          {view.notes.map((n, i) => (
            <p key={i} className="iv-note">
              {n}
            </p>
          ))}
        </InvoiceSection>
      )}

      <PaymentSection view={view} />
      <InvoiceLines view={view} printing={printing} />
      <DocumentAllowancesCharges view={view} />
      <VatBreakdown view={view} />
      <Totals view={view} />
      <Attachments view={view} />
    </article>
  );
}
