import type { InvoiceView as View } from '../../../../app/contract';
import { paymentMeansWords } from '../../lib/code-words';
import { InvoiceSection, Row, Term } from './invoice-fields';

/** How to pay (BG-16): each means of payment with its account, then the payment terms. */
export function PaymentSection({ view }: { view: View }) {
  return (
    <InvoiceSection
      id="pay"
      testId="iv-payment"
      heading={<Term term="BG-16 Payment instructions">Payment</Term>}
    >
      {view.paymentMeans.map((p, i) => (
        <dl className="fields" key={i}>
          <Row
            term="BT-81 Payment means type code"
            label="Payment means"
            value={paymentMeansWords(p.code, p.text)}
          />
          <Row term="BT-84 Payment account identifier" label="IBAN / account" value={p.iban} />
          <Row term="BT-85 Payment account name" label="Account name" value={p.accountName} />
          <Row term="BT-86 Payment service provider identifier" label="BIC" value={p.bic} />
          <Row term="BT-83 Remittance information" label="Payment reference" value={p.paymentId} />
          <Row term="BT-87 Payment card primary account number" label="Card" value={p.cardLast4} />
          <Row term="BT-89 Mandate reference identifier" label="Mandate" value={p.mandateId} />
          <Row
            term="BT-91 Debited account identifier"
            label="Debited account"
            value={p.debitedAccount}
          />
        </dl>
      ))}
      <dl className="fields">
        <Row term="BT-20 Payment terms" label="Payment terms" value={view.paymentTerms} />
      </dl>
      {view.paymentMeans.length === 0 && !view.paymentTerms && (
        <p className="muted">No payment details in the file.</p>
      )}
    </InvoiceSection>
  );
}
