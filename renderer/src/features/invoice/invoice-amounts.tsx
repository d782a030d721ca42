import type { InvoiceView as View } from '../../../../app/contract';
import { vatCategoryWords } from '../../lib/code-words';
import { formatAmount } from '../../lib/format';
import { InvoiceSection, Money, percent, Row, Term } from './invoice-fields';

/** A column heading: its label, the business term on hover, and whether it holds numbers. */
type Column = { label: string; term?: string; num?: boolean };

/** The heading row of an amounts table. */
function HeadRow({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((col) => (
          <th key={col.label} scope="col" className={col.num ? 'num' : undefined} title={col.term}>
            {col.label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** Allowances and charges on the whole document (BG-20, BG-21), when there are any. */
export function DocumentAllowancesCharges({ view }: { view: View }) {
  if (view.allowancesCharges.length === 0) return null;
  return (
    <InvoiceSection
      id="ac"
      testId="iv-allowances-charges"
      heading={
        <Term term="BG-20 Document level allowances, BG-21 Document level charges">
          Allowances and charges
        </Term>
      }
    >
      <table className="iv-table">
        <HeadRow
          columns={[
            { label: 'Kind' },
            { label: 'Reason', term: 'BT-97 / BT-104 Reason' },
            { label: 'VAT', term: 'BT-95 / BT-102 VAT category code' },
            { label: 'Amount', term: 'BT-92 / BT-99 Amount', num: true },
          ]}
        />
        <tbody>
          {view.allowancesCharges.map((a, i) => (
            <tr key={i}>
              <td>{a.charge ? 'Charge' : 'Allowance'}</td>
              <td>{a.reason ?? a.reasonCode ?? '—'}</td>
              <td>
                {vatCategoryWords(a.vatCategory)} {percent(a.vatRate)}
              </td>
              <td className="num">
                {a.charge ? '' : '−'}
                <Money value={a.amount} currency={view.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </InvoiceSection>
  );
}

/** The VAT breakdown (BG-23): one row per category and rate. */
export function VatBreakdown({ view }: { view: View }) {
  const c = view.currency;
  return (
    <InvoiceSection
      id="vat"
      testId="iv-vat"
      heading={<Term term="BG-23 VAT breakdown">VAT breakdown</Term>}
    >
      <table className="iv-table">
        <HeadRow
          columns={[
            { label: 'Category', term: 'BT-118 VAT category code' },
            { label: 'Rate', term: 'BT-119 VAT category rate', num: true },
            { label: 'Taxable amount', term: 'BT-116 VAT category taxable amount', num: true },
            { label: 'VAT', term: 'BT-117 VAT category tax amount', num: true },
          ]}
        />
        <tbody>
          {view.vatBreakdown.map((v, i) => (
            <tr key={i} data-testid="iv-vat-row">
              <td>
                <span title={`Code ${v.category ?? '—'}`}>{vatCategoryWords(v.category)}</span>
                {(v.exemptionReason || v.exemptionReasonCode) && (
                  <span className="iv-sub">{v.exemptionReason ?? v.exemptionReasonCode}</span>
                )}
              </td>
              <td className="num">{percent(v.rate)}</td>
              <td className="num">
                <Money value={v.taxableAmount} currency={c} />
              </td>
              <td className="num">
                <Money value={v.taxAmount} currency={c} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </InvoiceSection>
  );
}

/**
 * One total. A subtracted amount (allowances, already paid) is shown with a minus sign; the
 * amount due is always shown, in bold; any other row only when the file gives the amount.
 */
function AmountRow({
  term,
  label,
  amount,
  currency,
  minus = false,
  due = false,
}: {
  term: string;
  label: string;
  amount: string | null;
  currency: string | null;
  minus?: boolean;
  due?: boolean;
}) {
  const text = formatAmount(amount, currency);
  const value = due ? <strong>{text}</strong> : text && (minus ? `−${text}` : text);
  return <Row term={term} label={label} value={value} />;
}

/** The document totals (BG-22), down to the amount due. */
export function Totals({ view }: { view: View }) {
  const c = view.currency;
  const t = view.totals;
  return (
    <InvoiceSection
      id="totals"
      testId="iv-totals"
      className="iv-totals"
      heading={<Term term="BG-22 Document totals">Totals</Term>}
    >
      <dl className="fields">
        <AmountRow
          term="BT-106 Sum of invoice line net amount"
          label="Sum of lines"
          amount={t.lineExtension}
          currency={c}
        />
        <AmountRow
          term="BT-107 Sum of allowances on document level"
          label="Allowances"
          amount={t.allowances}
          currency={c}
          minus
        />
        <AmountRow
          term="BT-108 Sum of charges on document level"
          label="Charges"
          amount={t.charges}
          currency={c}
        />
        <AmountRow
          term="BT-109 Invoice total amount without VAT"
          label="Total without VAT"
          amount={t.taxExclusive}
          currency={c}
        />
        <AmountRow
          term="BT-110 Invoice total VAT amount"
          label="VAT"
          amount={view.totalVat}
          currency={c}
        />
        <AmountRow
          term="BT-112 Invoice total amount with VAT"
          label="Total with VAT"
          amount={t.taxInclusive}
          currency={c}
        />
        <AmountRow
          term="BT-113 Paid amount"
          label="Already paid"
          amount={t.prepaid}
          currency={c}
          minus
        />
        <AmountRow
          term="BT-114 Rounding amount"
          label="Rounding"
          amount={t.rounding}
          currency={c}
        />
        <AmountRow
          term="BT-115 Amount due for payment"
          label="Amount due"
          amount={t.payable}
          currency={c}
          due
        />
      </dl>
    </InvoiceSection>
  );
}
