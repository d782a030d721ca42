import { describe, expect, it } from 'vitest';
import { toLookup } from '../../app/access-point/client';
import { capabilityAccepts, type WantedDocument } from '../../app/queue/pipeline';

const BILLING = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const PROCESS = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';
const INVOICE_ROOT = 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice';
const invoice: WantedDocument = {
  root: INVOICE_ROOT,
  customizationId: BILLING,
  processId: PROCESS,
};
const docType = (customization: string, root = INVOICE_ROOT, version = '2.1') =>
  `${root}##${customization}::${version}`;

describe('capability check: the receiver must accept this very document', () => {
  it('accepts the exact Billing 3.0 document type and process, with or without scheme prefixes', () => {
    expect(
      capabilityAccepts({ document_type: docType(BILLING), process_id: PROCESS }, invoice),
    ).toBe(true);
    expect(
      capabilityAccepts(
        {
          document_type: `busdox-docid-qns::${docType(BILLING)}`,
          process_id: `cenbii-procid-ubl::${PROCESS}`,
        },
        invoice,
      ),
    ).toBe(true);
    // No process listed: trusted.
    expect(capabilityAccepts({ document_type: docType(BILLING), process_id: '' }, invoice)).toBe(
      true,
    );
  });

  it('refuses another customization that merely contains the Billing 3.0 id', () => {
    const extension = `${BILLING}#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0`;
    expect(
      capabilityAccepts({ document_type: docType(extension), process_id: PROCESS }, invoice),
    ).toBe(false);
    // …but a receiver listing that extension accepts a document that carries it.
    expect(
      capabilityAccepts(
        { document_type: docType(extension), process_id: PROCESS },
        { ...invoice, customizationId: extension },
      ),
    ).toBe(true);
    // A document with the extension is not covered by the plain Billing 3.0 entry.
    expect(
      capabilityAccepts(
        { document_type: docType(BILLING), process_id: PROCESS },
        { ...invoice, customizationId: extension },
      ),
    ).toBe(false);
  });

  it('refuses the other root, another UBL version, another process, and malformed entries', () => {
    const creditNoteRoot = 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote';
    expect(
      capabilityAccepts(
        { document_type: docType(BILLING, creditNoteRoot), process_id: PROCESS },
        invoice,
      ),
    ).toBe(false);
    expect(
      capabilityAccepts(
        { document_type: docType(BILLING, INVOICE_ROOT, '2.0'), process_id: PROCESS },
        invoice,
      ),
    ).toBe(false);
    expect(
      capabilityAccepts(
        {
          document_type: docType(BILLING),
          process_id: 'urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0',
        },
        invoice,
      ),
    ).toBe(false);
    expect(capabilityAccepts({ document_type: undefined, process_id: PROCESS }, invoice)).toBe(
      false,
    );
    expect(capabilityAccepts({ document_type: 12, process_id: PROCESS }, invoice)).toBe(false);
    expect(
      capabilityAccepts({ document_type: `xx ${BILLING}`, process_id: PROCESS }, invoice),
    ).toBe(false);
  });

  it('the wildcard scheme matches a customization prefix ending in *', () => {
    const wildcard = `peppol-doctype-wildcard::${docType(`${BILLING}*`)}`;
    const extension = `${BILLING}#conformant#urn:example:extension`;
    expect(
      capabilityAccepts(
        { document_type: wildcard, process_id: PROCESS },
        { ...invoice, customizationId: extension },
      ),
    ).toBe(true);
    // Without the wildcard scheme a * is just a character.
    expect(
      capabilityAccepts(
        { document_type: docType(`${BILLING}*`), process_id: PROCESS },
        { ...invoice, customizationId: extension },
      ),
    ).toBe(false);
  });
});

describe('lookup answers are read defensively', () => {
  it('keeps usable capability entries and drops broken ones', () => {
    const r = toLookup('0208:1', {
      found: true,
      name: 7,
      capabilities: [{ document_type: docType(BILLING) }, { document_type: 3 }, 'x', null],
    });
    expect(r).toMatchObject({
      found: true,
      name: null,
      capabilities: [{ document_type: docType(BILLING), process_id: '' }],
    });
  });

  it('a body that is not an object, capabilities that are not a list, or only broken entries are malformed', () => {
    expect(toLookup('0208:1', 'oops')).toHaveProperty('malformed');
    expect(toLookup('0208:1', [1, 2])).toHaveProperty('malformed');
    expect(toLookup('0208:1', { found: true, capabilities: { a: 1 } })).toHaveProperty('malformed');
    expect(toLookup('0208:1', { found: true, capabilities: [{ process_id: 'p' }] })).toHaveProperty(
      'malformed',
    );
    // An empty list or none at all is a normal answer ("accepts anything we know of").
    expect(toLookup('0208:1', { found: true, capabilities: [] })).not.toHaveProperty('malformed');
    expect(toLookup('0208:1', { found: false })).toMatchObject({ found: false });
  });
});
