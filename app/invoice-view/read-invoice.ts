/**
 * Reads the whole invoice (or credit note) from its stored bytes, on demand, for the document
 * view. Kept out of validation: it judges nothing, and the summary stored per document stays
 * small however long the invoice is.
 */
import { decodeDeclared } from '../domain/xml-encoding';
import { AppError } from '../errors';
import type { DocumentType, ParticipantId } from '../validation/types';
import { parseXml, XmlParseError, type XNode } from '../validation/xml-tree';
import { all, attr, child, children, first, norm } from '../validation/xpath';
import type {
  AttachmentFile,
  InvoiceView,
  ViewAddress,
  ViewAllowanceCharge,
  ViewAttachment,
  ViewLine,
  ViewParty,
  ViewPaymentMeans,
  ViewReference,
  ViewVatBreakdown,
} from './types';

const ENCODING_DECL = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

function decode(bytes: Uint8Array): string {
  const [b0, b1] = [bytes[0], bytes[1]];
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (b0 === 0x3c && b1 === 0x00) return new TextDecoder('utf-16le').decode(bytes);
  if (b0 === 0x00 && b1 === 0x3c) return new TextDecoder('utf-16be').decode(bytes);
  const head = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 200)));
  const label = ENCODING_DECL.exec(head.replace(/^\xEF\xBB\xBF/, ''))?.[1]?.toLowerCase();
  try {
    return decodeDeclared(label ?? 'utf-8', bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function text(n: XNode | undefined): string | null {
  if (n === undefined) return null;
  const s = norm(n);
  return s === '' ? null : s;
}

const at = (n: XNode | undefined, ...path: string[]): string | null => text(first(n, ...path));

function parse(bytes: Uint8Array): { root: XNode; docType: DocumentType } {
  let root: XNode;
  try {
    root = parseXml(decode(bytes)).root;
  } catch (err) {
    if (err instanceof XmlParseError)
      throw new AppError('NOT_READABLE', `The file cannot be shown as an invoice: ${err.message}`);
    throw err;
  }
  if (root.q === 'ubl:Invoice') return { root, docType: 'Invoice' };
  if (root.q === 'ubl:CreditNote') return { root, docType: 'CreditNote' };
  throw new AppError(
    'NOT_READABLE',
    'The file cannot be shown as an invoice: it is not a UBL invoice or credit note.',
  );
}

function address(n: XNode | undefined): ViewAddress | null {
  if (n === undefined) return null;
  return {
    street: at(n, 'cbc:StreetName'),
    additionalStreet: at(n, 'cbc:AdditionalStreetName'),
    addressLine: at(n, 'cac:AddressLine', 'cbc:Line'),
    city: at(n, 'cbc:CityName'),
    postalCode: at(n, 'cbc:PostalZone'),
    subdivision: at(n, 'cbc:CountrySubentity'),
    country: at(n, 'cac:Country', 'cbc:IdentificationCode'),
  };
}

function party(p: XNode | undefined): ViewParty | null {
  if (p === undefined) return null;
  const endpoint = child(p, 'cbc:EndpointID');
  const vat = children(p, 'cac:PartyTaxScheme').find(
    (s) => at(s, 'cac:TaxScheme', 'cbc:ID') === 'VAT',
  );
  const contact = child(p, 'cac:Contact');
  return {
    name: at(p, 'cac:PartyName', 'cbc:Name'),
    legalName: at(p, 'cac:PartyLegalEntity', 'cbc:RegistrationName'),
    endpoint: endpoint
      ? ({
          scheme: (attr(endpoint, 'schemeID') ?? '').trim(),
          value: norm(endpoint),
        } as ParticipantId)
      : null,
    ids: all(p, 'cac:PartyIdentification', 'cbc:ID').map((id) => ({
      scheme: attr(id, 'schemeID')?.trim() || null,
      value: norm(id),
    })),
    vatId: at(vat, 'cbc:CompanyID'),
    companyId: at(p, 'cac:PartyLegalEntity', 'cbc:CompanyID'),
    legalInfo: at(p, 'cac:PartyLegalEntity', 'cbc:CompanyLegalForm'),
    address: address(child(p, 'cac:PostalAddress')),
    contact: contact
      ? {
          name: at(contact, 'cbc:Name'),
          phone: at(contact, 'cbc:Telephone'),
          email: at(contact, 'cbc:ElectronicMail'),
        }
      : null,
  };
}

function allowanceCharge(n: XNode): ViewAllowanceCharge {
  return {
    charge: at(n, 'cbc:ChargeIndicator') === 'true',
    amount: at(n, 'cbc:Amount'),
    baseAmount: at(n, 'cbc:BaseAmount'),
    percent: at(n, 'cbc:MultiplierFactorNumeric'),
    reason: at(n, 'cbc:AllowanceChargeReason'),
    reasonCode: at(n, 'cbc:AllowanceChargeReasonCode'),
    vatCategory: at(n, 'cac:TaxCategory', 'cbc:ID'),
    vatRate: at(n, 'cac:TaxCategory', 'cbc:Percent'),
  };
}

function period(n: XNode | undefined): { start: string | null; end: string | null } | null {
  if (n === undefined) return null;
  return { start: at(n, 'cbc:StartDate'), end: at(n, 'cbc:EndDate') };
}

function line(n: XNode, docType: DocumentType): ViewLine {
  const quantity = child(
    n,
    docType === 'Invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity',
  );
  const item = child(n, 'cac:Item');
  return {
    id: at(n, 'cbc:ID'),
    note: at(n, 'cbc:Note'),
    name: at(item, 'cbc:Name'),
    description: at(item, 'cbc:Description'),
    sellerItemId: at(item, 'cac:SellersItemIdentification', 'cbc:ID'),
    buyerItemId: at(item, 'cac:BuyersItemIdentification', 'cbc:ID'),
    standardItemId: at(item, 'cac:StandardItemIdentification', 'cbc:ID'),
    quantity: text(quantity),
    unitCode: quantity === undefined ? null : attr(quantity, 'unitCode')?.trim() || null,
    unitPrice: at(n, 'cac:Price', 'cbc:PriceAmount'),
    baseQuantity: at(n, 'cac:Price', 'cbc:BaseQuantity'),
    baseQuantityUnit: attr(first(n, 'cac:Price', 'cbc:BaseQuantity'), 'unitCode')?.trim() || null,
    netAmount: at(n, 'cbc:LineExtensionAmount'),
    vatCategory: at(item, 'cac:ClassifiedTaxCategory', 'cbc:ID'),
    vatRate: at(item, 'cac:ClassifiedTaxCategory', 'cbc:Percent'),
    orderLineRef: at(n, 'cac:OrderLineReference', 'cbc:LineID'),
    period: period(child(n, 'cac:InvoicePeriod')),
    allowancesCharges: children(n, 'cac:AllowanceCharge').map(allowanceCharge),
  };
}

/** Decoded size of base64 text, without decoding it. */
function base64Size(b64: string): number {
  const clean = b64.replace(/\s+/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/** Additional documents that are attachments (BG-24), not the invoiced object identifier (BT-18). */
function attachmentNodes(root: XNode): XNode[] {
  return children(root, 'cac:AdditionalDocumentReference').filter(
    (r) => at(r, 'cbc:DocumentTypeCode') !== '130',
  );
}

function attachments(root: XNode): ViewAttachment[] {
  return attachmentNodes(root).map((r, index) => {
    const bin = first(r, 'cac:Attachment', 'cbc:EmbeddedDocumentBinaryObject');
    return {
      index,
      id: at(r, 'cbc:ID'),
      description: at(r, 'cbc:DocumentDescription'),
      fileName: bin ? attr(bin, 'filename')?.trim() || null : null,
      mimeType: bin ? attr(bin, 'mimeCode')?.trim() || null : null,
      size: bin ? base64Size(bin.text) : null,
      externalUrl: at(r, 'cac:Attachment', 'cac:ExternalReference', 'cbc:URI'),
    };
  });
}

function references(root: XNode): ViewReference[] {
  const refs: [string, string, string | null][] = [
    ['BT-10', 'Buyer reference', at(root, 'cbc:BuyerReference')],
    ['BT-13', 'Purchase order', at(root, 'cac:OrderReference', 'cbc:ID')],
    ['BT-14', 'Sales order', at(root, 'cac:OrderReference', 'cbc:SalesOrderID')],
    ['BT-12', 'Contract', at(root, 'cac:ContractDocumentReference', 'cbc:ID')],
    ['BT-11', 'Project', at(root, 'cac:ProjectReference', 'cbc:ID')],
    ['BT-19', 'Buyer accounting reference', at(root, 'cbc:AccountingCost')],
    [
      'BT-25',
      'Preceding invoice',
      at(root, 'cac:BillingReference', 'cac:InvoiceDocumentReference', 'cbc:ID'),
    ],
    ['BT-15', 'Receiving advice', at(root, 'cac:ReceiptDocumentReference', 'cbc:ID')],
    ['BT-16', 'Despatch advice', at(root, 'cac:DespatchDocumentReference', 'cbc:ID')],
    ['BT-17', 'Tender or lot', at(root, 'cac:OriginatorDocumentReference', 'cbc:ID')],
    [
      'BT-18',
      'Invoiced object',
      at(
        children(root, 'cac:AdditionalDocumentReference').find(
          (r) => at(r, 'cbc:DocumentTypeCode') === '130',
        ),
        'cbc:ID',
      ),
    ],
  ];
  return refs
    .filter((r): r is [string, string, string] => r[2] !== null)
    .map(([term, label, value]) => ({ term, label, value }));
}

function paymentMeans(n: XNode): ViewPaymentMeans {
  const code = child(n, 'cbc:PaymentMeansCode');
  return {
    code: text(code),
    text: code ? attr(code, 'name')?.trim() || null : null,
    paymentId: at(n, 'cbc:PaymentID'),
    iban: at(n, 'cac:PayeeFinancialAccount', 'cbc:ID'),
    accountName: at(n, 'cac:PayeeFinancialAccount', 'cbc:Name'),
    bic: at(n, 'cac:PayeeFinancialAccount', 'cac:FinancialInstitutionBranch', 'cbc:ID'),
    cardLast4: at(n, 'cac:CardAccount', 'cbc:PrimaryAccountNumberID'),
    mandateId: at(n, 'cac:PaymentMandate', 'cbc:ID'),
    debitedAccount: at(n, 'cac:PaymentMandate', 'cac:PayerFinancialAccount', 'cbc:ID'),
  };
}

/** The VAT total in the document currency: the TaxTotal with the breakdown (BG-23). */
function vatTotal(root: XNode): XNode | undefined {
  const totals = children(root, 'cac:TaxTotal');
  return totals.find((t) => children(t, 'cac:TaxSubtotal').length > 0) ?? totals[0];
}

/**
 * BT-111, the VAT total in the accounting currency: the other TaxTotal, whose amount is in the
 * tax currency (BT-6; a walk: an invoice in USD for a Belgian seller showed no VAT in EUR).
 */
function vatInTaxCurrency(root: XNode, taxCurrency: string | null): string | null {
  if (taxCurrency === null) return null;
  const inIt = children(root, 'cac:TaxTotal').find(
    (t) =>
      children(t, 'cac:TaxSubtotal').length === 0 &&
      attr(child(t, 'cbc:TaxAmount'), 'currencyID')?.trim() === taxCurrency,
  );
  return at(inIt, 'cbc:TaxAmount');
}

function vatBreakdown(total: XNode | undefined): ViewVatBreakdown[] {
  return children(total, 'cac:TaxSubtotal').map((s) => ({
    category: at(s, 'cac:TaxCategory', 'cbc:ID'),
    rate: at(s, 'cac:TaxCategory', 'cbc:Percent'),
    taxableAmount: at(s, 'cbc:TaxableAmount'),
    taxAmount: at(s, 'cbc:TaxAmount'),
    exemptionReason: at(s, 'cac:TaxCategory', 'cbc:TaxExemptionReason'),
    exemptionReasonCode: at(s, 'cac:TaxCategory', 'cbc:TaxExemptionReasonCode'),
  }));
}

/** Every section of the invoice, every line included, from the bytes as they were dropped. */
export function readInvoice(bytes: Uint8Array): InvoiceView {
  const { root, docType } = parse(bytes);
  const lineQ = docType === 'Invoice' ? 'cac:InvoiceLine' : 'cac:CreditNoteLine';
  const totals = child(root, 'cac:LegalMonetaryTotal');
  const tax = vatTotal(root);
  const delivery = child(root, 'cac:Delivery');
  const currency = at(root, 'cbc:DocumentCurrencyCode');
  const taxCurrency = at(root, 'cbc:TaxCurrencyCode');
  return {
    docType,
    number: at(root, 'cbc:ID'),
    typeCode: at(root, docType === 'Invoice' ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode'),
    issueDate: at(root, 'cbc:IssueDate'),
    dueDate: at(root, 'cbc:DueDate') ?? at(root, 'cac:PaymentMeans', 'cbc:PaymentDueDate'),
    taxPointDate: at(root, 'cbc:TaxPointDate'),
    currency,
    notes: children(root, 'cbc:Note')
      .map((n) => text(n))
      .filter((n): n is string => n !== null),
    references: references(root),
    invoicePeriod: period(child(root, 'cac:InvoicePeriod')),
    seller: party(first(root, 'cac:AccountingSupplierParty', 'cac:Party')),
    buyer: party(first(root, 'cac:AccountingCustomerParty', 'cac:Party')),
    payee: party(child(root, 'cac:PayeeParty')),
    taxRepresentative: party(child(root, 'cac:TaxRepresentativeParty')),
    delivery: delivery
      ? {
          date: at(delivery, 'cbc:ActualDeliveryDate'),
          partyName: at(delivery, 'cac:DeliveryParty', 'cac:PartyName', 'cbc:Name'),
          address: address(first(delivery, 'cac:DeliveryLocation', 'cac:Address')),
        }
      : null,
    paymentMeans: children(root, 'cac:PaymentMeans').map(paymentMeans),
    paymentTerms: at(root, 'cac:PaymentTerms', 'cbc:Note'),
    allowancesCharges: children(root, 'cac:AllowanceCharge').map(allowanceCharge),
    vatBreakdown: vatBreakdown(tax),
    totalVat: at(tax, 'cbc:TaxAmount'),
    taxCurrency: taxCurrency !== currency ? taxCurrency : null,
    totalVatInTaxCurrency: taxCurrency !== currency ? vatInTaxCurrency(root, taxCurrency) : null,
    totals: {
      lineExtension: at(totals, 'cbc:LineExtensionAmount'),
      allowances: at(totals, 'cbc:AllowanceTotalAmount'),
      charges: at(totals, 'cbc:ChargeTotalAmount'),
      taxExclusive: at(totals, 'cbc:TaxExclusiveAmount'),
      taxInclusive: at(totals, 'cbc:TaxInclusiveAmount'),
      prepaid: at(totals, 'cbc:PrepaidAmount'),
      rounding: at(totals, 'cbc:PayableRoundingAmount'),
      payable: at(totals, 'cbc:PayableAmount'),
    },
    lines: children(root, lineQ).map((l) => line(l, docType)),
    attachments: attachments(root),
  };
}

/** The content of attachment `index` (as listed by `readInvoice`), decoded. */
export function readAttachment(bytes: Uint8Array, index: number): AttachmentFile {
  const { root } = parse(bytes);
  const ref = attachmentNodes(root)[index];
  const bin = first(ref, 'cac:Attachment', 'cbc:EmbeddedDocumentBinaryObject');
  if (!ref || !bin) {
    throw new AppError('NOT_FOUND', 'This attachment is not embedded in the invoice file.');
  }
  const id = at(ref, 'cbc:ID') ?? `attachment-${index + 1}`;
  const declared = attr(bin, 'mimeCode')?.trim().toLowerCase() ?? '';
  const exts = ATTACHMENT_TYPES[declared];
  const name = attr(bin, 'filename')?.trim() || id;
  return {
    // Saved under a name whose extension is its declared type's (walk 21: an attachment declared
    // text/csv named x.html was saved as x.html, a web page from a stranger's invoice); a type
    // Peppol does not allow is saved as plain data (.bin).
    fileName: exts ? withExtension(name, exts) : withExtension(name, ['.bin']),
    mimeType: exts ? declared : 'application/octet-stream',
    bytes: new Uint8Array(Buffer.from(bin.text.replace(/\s+/g, ''), 'base64')),
  };
}

/** The attachment types Peppol BIS 3 allows (mimeCode), with their file extensions. */
const ATTACHMENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['.pdf'],
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'text/csv': ['.csv'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['.xlsx'],
  'application/vnd.oasis.opendocument.spreadsheet': ['.ods'],
};

/** `name` as it is when it ends in one of `exts`, else with the first of them added. */
function withExtension(name: string, exts: readonly string[]): string {
  const lower = name.toLowerCase();
  return exts.some((e) => lower.endsWith(e)) ? name : `${name}${exts[0]}`;
}
