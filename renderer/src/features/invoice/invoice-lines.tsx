import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ComponentPropsWithRef } from 'react';
import type { InvoiceView as View, ViewAllowanceCharge, ViewLine } from '../../../../app/contract';
import { isKnownUnit, unitWords, vatCategoryWords } from '../../lib/code-words';
import { formatAmount, formatDecimal } from '../../lib/format';
import { InvoiceSection, percent, Term } from './invoice-fields';

/** A line's allowance or charge in one phrase: "Charge: Freight +10.00 (5% of 200.00)". */
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
          <span className="iv-sub" data-testid="line-base-quantity">
            per {formatDecimal(l.baseQuantity)}
            {l.baseQuantityUnit ? ` ${unitWords(l.baseQuantityUnit, l.baseQuantity)}` : ''}
          </span>
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

/** One line as a table row; `style` places it in the virtual list (none when printing). */
function LineRow({
  l,
  currency,
  ...rowProps
}: {
  l: ViewLine;
  currency: string | null;
} & Omit<ComponentPropsWithRef<'div'>, 'role' | 'className'>) {
  return (
    <div role="row" className="iv-line" data-testid="iv-line" {...rowProps}>
      <LineCells l={l} currency={currency} />
    </div>
  );
}

/** Every line; virtualized so ten thousand lines scroll smoothly, all of them when printing. */
export function InvoiceLines({ view, printing }: { view: View; printing: boolean }) {
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
    <InvoiceSection
      id="lines"
      heading={
        <>
          <Term term="BG-25 Invoice line">Lines</Term>{' '}
          <span className="muted" data-testid="line-count">
            ({view.lines.length.toLocaleString()})
          </span>
        </>
      }
    >
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
              <LineRow key={i} l={l} currency={view.currency} />
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
              {items.map((item) => (
                <LineRow
                  key={item.key}
                  ref={virtualizer.measureElement}
                  data-index={item.index}
                  aria-rowindex={item.index + 2}
                  l={view.lines[item.index]!}
                  currency={view.currency}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    width: '100%',
                    transform: `translateY(${item.start}px)`,
                  }}
                />
              ))}
            </div>
          </div>
        )}
      </div>
    </InvoiceSection>
  );
}
