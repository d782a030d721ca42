import type { ViewParty } from '../../../../app/contract';
import { addressLines, Row, Term } from './invoice-fields';

/** One party of the invoice (seller, buyer, payee, tax representative): one block for each. */
export function PartyBlock({
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
      {p.name && p.legalName && p.legalName !== p.name && <p>{p.legalName}</p>}
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
