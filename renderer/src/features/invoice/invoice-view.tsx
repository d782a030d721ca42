import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type {
  InvoiceView as View,
  ViewAddress,
  ViewAllowanceCharge,
  ViewLine,
  ViewParty,
} from '../../../../app/contract';
import { getApi } from '../../bridge';
import {
  formatBytes,
  isKnownUnit,
  paymentMeansWords,
  typeCodeWords,
  unitWords,
  vatCategoryWords,
} from '../../lib/code-words';
import { formatAmount, formatDecimal } from '../../lib/format';
import { saveFile } from '../../lib/save-file';
import { useInvoiceViewStore } from '../../stores/invoice-view-store';
import { useToastStore } from '../../stores/toast-store';

/** A label with its EN 16931 business term on hover ("BT-13 Purchase order reference"). */
function Term({ term, children }: { term: string; children: ReactNode }) {
  return <span title={term}>{children}</span>;
}

/** One label/value pair; nothing is shown for an empty value. */
function Row({ term, label, value }: { term: string; label: string; value: ReactNode }) {
  if (value === null || value === undefined || value === '') return null;
  return (
    <div className="field">
      <dt>
        <Term term={term}>{label}</Term>
      </dt>
      <dd>{value}</dd>
    </div>
  );
}

function addressLines(a: ViewAddress | null): string[] {
  if (!a) return [];
  const city = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [a.street, a.additionalStreet, a.addressLine, city, a.subdivision, a.country].filter(
    (s): s is string => !!s,
  );
}

function Party({
  title,
  term,
  p,
  testId,
}: {
  title: string;
  term: string;
  p: ViewParty | null;
  testId: string;
}) {
  if (!p) return null;
  const lines = addressLines(p.address);
  return (
    <section className="iv-party" data-testid={testId} aria-label={title}>
      <h3>
        <Term term={term}>{title}</Term>
      </h3>
      <p className="iv-party-name">{p.name ?? p.legalName ?? '—'}</p>
      {p.legalName && p.legalName !== p.name && <p>{p.legalName}</p>}
      {lines.length > 0 && (
        <address title="Postal address">
          {lines.map((l, i) => (
            <span key={i}>
              {l}
              <br />
            </span>
          ))}
        </address>
      )}
      <dl className="fields">
        <Row term="BT-31 / BT-48 VAT identifier" label="VAT number" value={p.vatId} />
        <Row
          term="BT-34 / BT-49 Electronic address"
          label="Peppol ID"
          value={p.endpoint ? `${p.endpoint.scheme}:${p.endpoint.value}` : null}
        />
        <Row
          term="BT-30 / BT-47 Legal registration identifier"
          label="Company number"
          value={p.companyId}
        />
        {p.ids.map((id, i) => (
          <Row
            key={i}
            term="BT-29 / BT-46 Party identifier"
            label="Identifier"
            value={id.scheme ? `${id.scheme}:${id.value}` : id.value}
          />
        ))}
        <Row
          term="BT-33 Additional legal information"
          label="Legal information"
          value={p.legalInfo}
        />
        <Row term="BT-41 / BT-56 Contact point" label="Contact" value={p.contact?.name} />
        <Row term="BT-42 / BT-57 Contact telephone" label="Telephone" value={p.contact?.phone} />
        <Row term="BT-43 / BT-58 Contact email" label="Email" value={p.contact?.email} />
      </dl>
    </section>
  );
}

function percent(rate: string | null): string {
  return rate === null ? '' : `${formatDecimal(rate)}%`;
}

function AllowanceChargeText({ a, currency }: { a: ViewAllowanceCharge; currency: string | null }) {
  const kind = a.charge ? 'Charge' : 'Allowance';
  const why = a.reason ?? a.reasonCode ?? '';
  return (
    <>
      {kind}
      {why && `: ${why}`} {a.charge ? '+' : '−'}
      {formatAmount(a.amount, currency)}
      {a.percent && ` (${percent(a.percent)} of ${formatAmount(a.baseAmount, currency)})`}
    </>
  );
}

const LINE_ESTIMATE = 52;
/** Above this many lines the list scrolls in its own box and renders only what is on screen. */
const LINES_BOX_MAX_PX = 480;

function LineCells({ l, currency }: { l: ViewLine; currency: string | null }) {
  const unit = unitWords(l.unitCode, l.quantity);
  return (
    <>
      <div role="cell" className="iv-c-id">
        {l.id ?? '—'}
      </div>
      <div role="cell" className="iv-c-item">
        <span className="iv-item-name">{l.name ?? '—'}</span>
        {l.description && <span className="iv-sub">{l.description}</span>}
        {(l.sellerItemId || l.buyerItemId || l.standardItemId) && (
          <span className="iv-sub">
            {[
              l.sellerItemId && `Seller item ${l.sellerItemId}`,
              l.buyerItemId && `Buyer item ${l.buyerItemId}`,
              l.standardItemId && `Item id ${l.standardItemId}`,
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        )}
        {l.period && (
          <span className="iv-sub">
            Period {l.period.start ?? '…'} – {l.period.end ?? '…'}
          </span>
        )}
        {l.orderLineRef && <span className="iv-sub">Order line {l.orderLineRef}</span>}
        {l.note && <span className="iv-sub">Note: {l.note}</span>}
        {l.allowancesCharges.map((a, i) => (
          <span key={i} className="iv-sub" data-testid="line-allowance-charge">
            <AllowanceChargeText a={a} currency={currency} />
          </span>
        ))}
      </div>
      <div role="cell" className="iv-c-num" data-testid="line-quantity">
        {formatDecimal(l.quantity)}{' '}
        <span title={l.unitCode ? `Unit code ${l.unitCode} (UN/ECE rec. 20)` : undefined}>
          {l.unitCode && isKnownUnit(l.unitCode) ? unit : l.unitCode}
        </span>
      </div>
      <div role="cell" className="iv-c-num" data-testid="line-unit-price">
        {formatAmount(l.unitPrice, currency)}
        {l.baseQuantity && l.baseQuantity !== '1' && (
          <span className="iv-sub">per {formatDecimal(l.baseQuantity)}</span>
        )}
      </div>
      <div role="cell" className="iv-c-vat">
        <span title={vatCategoryWords(l.vatCategory)}>
          {l.vatCategory ?? '—'} {percent(l.vatRate)}
        </span>
      </div>
      <div role="cell" className="iv-c-num" data-testid="line-net">
        {formatAmount(l.netAmount, currency)}
      </div>
    </>
  );
}

function LinesHeader() {
  const cols: [string, string, string][] = [
    ['BT-126 Invoice line identifier', '#', 'iv-c-id'],
    ['BT-153 Item name', 'Item', 'iv-c-item'],
    ['BT-129 Invoiced quantity, BT-130 Unit of measure', 'Quantity', 'iv-c-num'],
    ['BT-146 Item net price', 'Unit price', 'iv-c-num'],
    ['BT-151 Item VAT category, BT-152 VAT rate', 'VAT', 'iv-c-vat'],
    ['BT-131 Invoice line net amount', 'Net amount', 'iv-c-num'],
  ];
  return (
    <div role="rowgroup" className="iv-lines-head">
      <div role="row" className="iv-line">
        {cols.map(([term, label, cls]) => (
          <div key={label} role="columnheader" className={cls} title={term}>
            {label}
          </div>
        ))}
      </div>
    </div>
  );
}

/** Every line; virtualized so ten thousand lines scroll smoothly, all of them when printing. */
function Lines({ view, printing }: { view: View; printing: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: view.lines.length,
    getScrollElement: () => box.current,
    estimateSize: () => LINE_ESTIMATE,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  return (
    <section aria-labelledby="iv-lines-title" className="iv-section">
      <h3 id="iv-lines-title">
        <Term term="BG-25 Invoice line">Lines</Term>{' '}
        <span className="muted" data-testid="line-count">
          ({view.lines.length.toLocaleString()})
        </span>
      </h3>
      <div
        role="table"
        aria-label="Invoice lines"
        aria-rowcount={view.lines.length + 1}
        className="iv-lines"
        data-testid="iv-lines"
      >
        <LinesHeader />
        {printing ? (
          <div role="rowgroup">
            {view.lines.map((l, i) => (
              <div key={i} role="row" className="iv-line" data-testid="iv-line">
                <LineCells l={l} currency={view.currency} />
              </div>
            ))}
          </div>
        ) : (
          <div
            ref={box}
            role="rowgroup"
            className="iv-lines-body"
            data-testid="iv-lines-body"
            style={{ maxHeight: LINES_BOX_MAX_PX }}
            tabIndex={0}
            aria-label="Invoice lines, scrollable"
          >
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const l = view.lines[item.index]!;
                return (
                  <div
                    key={item.key}
                    ref={virtualizer.measureElement}
                    data-index={item.index}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className="iv-line"
                    data-testid="iv-line"
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      width: '100%',
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <LineCells l={l} currency={view.currency} />
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}

function Money({ value, currency }: { value: string | null; currency: string | null }) {
  return <>{formatAmount(value, currency)}</>;
}

function Document({ view, printing }: { view: View; printing: boolean }) {
  const c = view.currency;
  const isCredit = view.docType === 'CreditNote';
  return (
    <article className="iv-doc" data-testid="iv-doc">
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
          <Row term="BT-5 Invoice currency code" label="Currency" value={c} />
          <Row
            term="BG-14 Invoicing period"
            label="Invoicing period"
            value={
              view.invoicePeriod
                ? `${view.invoicePeriod.start ?? '…'} – ${view.invoicePeriod.end ?? '…'}`
                : null
            }
          />
          <Row
            term="BT-72 Actual delivery date"
            label="Delivery date"
            value={view.delivery?.date}
          />
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

      <div className="iv-parties">
        <Party title="Seller" term="BG-4 Seller" p={view.seller} testId="iv-seller" />
        <Party title="Buyer" term="BG-7 Buyer" p={view.buyer} testId="iv-buyer" />
        <Party title="Payee" term="BG-10 Payee" p={view.payee} testId="iv-payee" />
        <Party
          title="Seller's tax representative"
          term="BG-11 Seller tax representative party"
          p={view.taxRepresentative}
          testId="iv-tax-rep"
        />
      </div>

      {view.references.length > 0 && (
        <section className="iv-section" aria-labelledby="iv-refs-title" data-testid="iv-references">
          <h3 id="iv-refs-title">References</h3>
          <dl className="fields">
            {view.references.map((r) => (
              <Row key={r.term} term={`${r.term} ${r.label}`} label={r.label} value={r.value} />
            ))}
          </dl>
        </section>
      )}

      {view.notes.length > 0 && (
        <section className="iv-section" aria-labelledby="iv-notes-title" data-testid="iv-notes">
          <h3 id="iv-notes-title">
            <Term term="BT-22 Invoice note">Notes</Term>
          </h3>
          {view.notes.map((n, i) => (
            <p key={i} className="iv-note">
              {n}
            </p>
          ))}
        </section>
      )}

      <section className="iv-section" aria-labelledby="iv-pay-title" data-testid="iv-payment">
        <h3 id="iv-pay-title">
          <Term term="BG-16 Payment instructions">Payment</Term>
        </h3>
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
            <Row
              term="BT-83 Remittance information"
              label="Payment reference"
              value={p.paymentId}
            />
            <Row
              term="BT-87 Payment card primary account number"
              label="Card"
              value={p.cardLast4}
            />
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
      </section>

      <Lines view={view} printing={printing} />

      {view.allowancesCharges.length > 0 && (
        <section
          className="iv-section"
          aria-labelledby="iv-ac-title"
          data-testid="iv-allowances-charges"
        >
          <h3 id="iv-ac-title">
            <Term term="BG-20 Document level allowances, BG-21 Document level charges">
              Allowances and charges
            </Term>
          </h3>
          <table className="iv-table">
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col" title="BT-97 / BT-104 Reason">
                  Reason
                </th>
                <th scope="col" title="BT-95 / BT-102 VAT category code">
                  VAT
                </th>
                <th scope="col" className="num" title="BT-92 / BT-99 Amount">
                  Amount
                </th>
              </tr>
            </thead>
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
                    <Money value={a.amount} currency={c} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <section className="iv-section" aria-labelledby="iv-vat-title" data-testid="iv-vat">
        <h3 id="iv-vat-title">
          <Term term="BG-23 VAT breakdown">VAT breakdown</Term>
        </h3>
        <table className="iv-table">
          <thead>
            <tr>
              <th scope="col" title="BT-118 VAT category code">
                Category
              </th>
              <th scope="col" className="num" title="BT-119 VAT category rate">
                Rate
              </th>
              <th scope="col" className="num" title="BT-116 VAT category taxable amount">
                Taxable amount
              </th>
              <th scope="col" className="num" title="BT-117 VAT category tax amount">
                VAT
              </th>
            </tr>
          </thead>
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
      </section>

      <section
        className="iv-section iv-totals"
        aria-labelledby="iv-totals-title"
        data-testid="iv-totals"
      >
        <h3 id="iv-totals-title">
          <Term term="BG-22 Document totals">Totals</Term>
        </h3>
        <dl className="fields">
          <Row
            term="BT-106 Sum of invoice line net amount"
            label="Sum of lines"
            value={formatAmount(view.totals.lineExtension, c)}
          />
          <Row
            term="BT-107 Sum of allowances on document level"
            label="Allowances"
            value={view.totals.allowances && `−${formatAmount(view.totals.allowances, c)}`}
          />
          <Row
            term="BT-108 Sum of charges on document level"
            label="Charges"
            value={formatAmount(view.totals.charges, c)}
          />
          <Row
            term="BT-109 Invoice total amount without VAT"
            label="Total without VAT"
            value={formatAmount(view.totals.taxExclusive, c)}
          />
          <Row
            term="BT-110 Invoice total VAT amount"
            label="VAT"
            value={formatAmount(view.totalVat, c)}
          />
          <Row
            term="BT-112 Invoice total amount with VAT"
            label="Total with VAT"
            value={formatAmount(view.totals.taxInclusive, c)}
          />
          <Row
            term="BT-113 Paid amount"
            label="Already paid"
            value={view.totals.prepaid && `−${formatAmount(view.totals.prepaid, c)}`}
          />
          <Row
            term="BT-114 Rounding amount"
            label="Rounding"
            value={formatAmount(view.totals.rounding, c)}
          />
          <Row
            term="BT-115 Amount due for payment"
            label="Amount due"
            value={<strong>{formatAmount(view.totals.payable, c)}</strong>}
          />
        </dl>
      </section>

      {view.attachments.length > 0 && (
        <section className="iv-section" aria-labelledby="iv-att-title" data-testid="iv-attachments">
          <h3 id="iv-att-title">
            <Term term="BG-24 Additional supporting documents">Attachments</Term>
          </h3>
          <ul className="iv-attachments">
            {view.attachments.map((a) => (
              <li key={a.index} data-testid="iv-attachment">
                <span className="iv-item-name">
                  {a.fileName ?? a.id ?? `Attachment ${a.index + 1}`}
                </span>
                {a.description && <span className="iv-sub">{a.description}</span>}
                <span className="iv-sub">
                  {[a.mimeType, a.size !== null ? formatBytes(a.size) : null]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                {a.size !== null && (
                  <AttachmentButton index={a.index} name={a.fileName ?? a.id ?? 'attachment'} />
                )}
                {a.externalUrl && <span className="iv-sub">Link: {a.externalUrl}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}

function toastError(title: string, message: string): void {
  useToastStore.getState().push({ kind: 'error', title, lines: [message], ttlMs: null });
}

function AttachmentButton({ index, name }: { index: number; name: string }) {
  const id = useInvoiceViewStore((s) => s.id);
  return (
    <button
      type="button"
      className="button no-print"
      data-testid={`iv-attachment-open-${index}`}
      aria-label={`Open ${name}`}
      onClick={() => {
        if (id === null) return;
        void getApi()
          .invoke('documents:attachment', { id, index })
          .then((r) => {
            if (r.ok) saveFile(r.value.fileName, r.value.mimeType, r.value.bytes);
            else toastError('Could not open the attachment', r.error.message);
          });
      }}
    >
      Open
    </button>
  );
}

/**
 * The whole invoice as a clerk checks it against their ERP, in a modal window over the desk:
 * Escape or Close returns to where it was opened. Prints on its own (a print stylesheet hides the
 * desk), every line included.
 */
export function InvoiceViewDialog() {
  const id = useInvoiceViewStore((s) => s.id);
  const view = useInvoiceViewStore((s) => s.view);
  const error = useInvoiceViewStore((s) => s.error);
  const close = useInvoiceViewStore((s) => s.close);
  const dialog = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const [printing, setPrinting] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (id !== null && !el.open) {
      returnFocus.current =
        document.activeElement instanceof HTMLElement ? document.activeElement : null;
      el.showModal();
    } else if (id === null && el.open) {
      el.close();
    }
    if (id === null) {
      const target = returnFocus.current;
      returnFocus.current = null;
      if (target?.isConnected) target.focus();
    }
  }, [id]);

  // Ctrl+P as well as the button: render every line before the page is laid out for print.
  useEffect(() => {
    const before = () => flushSync(() => setPrinting(true));
    const after = () => setPrinting(false);
    window.addEventListener('beforeprint', before);
    window.addEventListener('afterprint', after);
    return () => {
      window.removeEventListener('beforeprint', before);
      window.removeEventListener('afterprint', after);
    };
  }, []);

  const openOriginal = () => {
    if (id === null) return;
    void getApi()
      .invoke('documents:original', { id })
      .then((r) => {
        if (r.ok) saveFile(r.value.fileName, 'application/xml', r.value.bytes);
        else toastError('Could not open the original file', r.error.message);
      });
  };

  const title = view
    ? `${view.docType === 'CreditNote' ? 'Credit note' : 'Invoice'} ${view.number ?? ''}`
    : 'Invoice';
  return (
    <dialog
      ref={dialog}
      className="invoice-view"
      data-testid="invoice-view"
      aria-labelledby="iv-title"
      onClose={() => {
        if (useInvoiceViewStore.getState().id !== null) close();
      }}
    >
      {id !== null && (
        <>
          <header className="iv-toolbar">
            <h2 id="iv-title">{title}</h2>
            <div className="iv-actions no-print">
              <button
                type="button"
                className="button"
                data-testid="iv-original"
                onClick={openOriginal}
              >
                Open original file
              </button>
              <button
                type="button"
                className="button"
                data-testid="iv-print"
                disabled={!view}
                onClick={() => {
                  flushSync(() => setPrinting(true));
                  window.print();
                  setPrinting(false);
                }}
              >
                Print / Save as PDF
              </button>
              <button
                type="button"
                className="button button-primary"
                data-testid="iv-close"
                onClick={close}
              >
                Close
              </button>
            </div>
          </header>
          {error && (
            <p className="problem-message" role="alert">
              {error.message}
            </p>
          )}
          {!view && !error && <p className="muted">Reading the invoice…</p>}
          {view && <Document view={view} printing={printing} />}
        </>
      )}
    </dialog>
  );
}
