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
interface Total {
  term: string;
  label: string | ((view: View) => string);
  amount: (view: View) => string | null;
  /** Its currency, when not the invoice's (BT-111 is in the VAT accounting currency). */
  currency?: (view: View) => string | null;
  minus?: boolean;
  due?: boolean;
}

/** The totals in the order of the EN 16931 model (BT-106 to BT-115). */
const TOTALS: readonly Total[] = [
  {
    term: 'BT-106 Sum of invoice line net amount',
    label: 'Sum of lines',
    amount: (v) => v.totals.lineExtension,
  },
  {
    term: 'BT-107 Sum of allowances on document level',
    label: 'Allowances',
    amount: (v) => v.totals.allowances,
    minus: true,
  },
  {
    term: 'BT-108 Sum of charges on document level',
    label: 'Charges',
    amount: (v) => v.totals.charges,
  },
  {
    term: 'BT-109 Invoice total amount without VAT',
    label: 'Total without VAT',
    amount: (v) => v.totals.taxExclusive,
  },
  { term: 'BT-110 Invoice total VAT amount', label: 'VAT', amount: (v) => v.totalVat },
  {
    term: 'BT-111 Invoice total VAT amount in accounting currency',
    label: (v) => `VAT in ${v.taxCurrency ?? ''} (accounting currency)`,
    amount: (v) => v.totalVatInTaxCurrency,
    currency: (v) => v.taxCurrency,
  },
  {
    term: 'BT-112 Invoice total amount with VAT',
    label: 'Total with VAT',
    amount: (v) => v.totals.taxInclusive,
  },
  {
    term: 'BT-113 Paid amount',
    label: 'Already paid',
    amount: (v) => v.totals.prepaid,
    minus: true,
  },
  { term: 'BT-114 Rounding amount', label: 'Rounding', amount: (v) => v.totals.rounding },
  {
    term: 'BT-115 Amount due for payment',
    // A credit note's is what the buyer is credited (walk 13: "Amount due" read as owed).
    label: (v) => (v.docType === 'CreditNote' ? 'Amount credited' : 'Amount due'),
    amount: (v) => v.totals.payable,
    due: true,
  },
];

/** One total as a label/value row. */
function AmountRow({ total, view }: { total: Total; view: View }) {
  const text = formatAmount(total.amount(view), total.currency?.(view) ?? view.currency);
  const value = total.due ? <strong>{text}</strong> : text && (total.minus ? `−${text}` : text);
  const label = typeof total.label === 'string' ? total.label : total.label(view);
  return <Row term={total.term} label={label} value={value} />;
}

/** The document totals (BG-22), down to the amount due. */
export function Totals({ view }: { view: View }) {
  return (
    <InvoiceSection
      id="totals"
      testId="iv-totals"
      className="iv-totals"
      heading={<Term term="BG-22 Document totals">Totals</Term>}
    >
      <dl className="fields">
        {TOTALS.map((total) => (
          <AmountRow key={total.term} total={total} view={view} />
        ))}
      </dl>
    </InvoiceSection>
  );
}
