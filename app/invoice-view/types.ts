/**
 * The readable invoice: everything a clerk checks against their ERP, read from the stored bytes
 * on demand (not kept per document). Amounts and quantities are the exact decimal strings of the
 * file; codes are kept as codes (the screen puts them in words).
 */
import type { DocumentType, ParticipantId } from '../validation/types';

/** A postal address (BG-5, BG-8, BG-12, BG-15). */
export interface ViewAddress {
  street: string | null;
  additionalStreet: string | null;
  addressLine: string | null;
  city: string | null;
  postalCode: string | null;
  subdivision: string | null;
  country: string | null;
}

/** Seller, buyer, payee or tax representative. */
export interface ViewParty {
  name: string | null;
  legalName: string | null;
  endpoint: ParticipantId | null;
  /** Party identifiers (BT-29, BT-46), with their scheme when given. */
  ids: { scheme: string | null; value: string }[];
  /** VAT identifier (BT-31, BT-48). */
  vatId: string | null;
  /** Legal registration identifier (BT-30, BT-47). */
  companyId: string | null;
  /** Additional legal information (BT-33). */
  legalInfo: string | null;
  address: ViewAddress | null;
  contact: { name: string | null; phone: string | null; email: string | null } | null;
}

/** A document- or line-level allowance (discount) or charge (BG-20, BG-21, BG-27, BG-28). */
export interface ViewAllowanceCharge {
  charge: boolean;
  amount: string | null;
  baseAmount: string | null;
  percent: string | null;
  reason: string | null;
  reasonCode: string | null;
  vatCategory: string | null;
  vatRate: string | null;
}

/** One row of the VAT breakdown (BG-23). */
export interface ViewVatBreakdown {
  category: string | null;
  rate: string | null;
  taxableAmount: string | null;
  taxAmount: string | null;
  exemptionReason: string | null;
  exemptionReasonCode: string | null;
}

/** Payment instructions (BG-16). */
export interface ViewPaymentMeans {
  code: string | null;
  /** The means in the file's own words (BT-82), when given. */
  text: string | null;
  /** Remittance information (BT-83). */
  paymentId: string | null;
  iban: string | null;
  accountName: string | null;
  bic: string | null;
  cardLast4: string | null;
  mandateId: string | null;
  debitedAccount: string | null;
}

/** One invoice or credit note line (BG-25). */
export interface ViewLine {
  id: string | null;
  note: string | null;
  name: string | null;
  description: string | null;
  sellerItemId: string | null;
  buyerItemId: string | null;
  standardItemId: string | null;
  quantity: string | null;
  unitCode: string | null;
  /** Net price per base quantity (BT-146, BT-149). */
  unitPrice: string | null;
  baseQuantity: string | null;
  /** BT-150, the base quantity's unit (its unitCode), when given. */
  baseQuantityUnit: string | null;
  netAmount: string | null;
  vatCategory: string | null;
  vatRate: string | null;
  orderLineRef: string | null;
  period: { start: string | null; end: string | null } | null;
  allowancesCharges: ViewAllowanceCharge[];
}

/** An attached document (BG-24); the content is fetched separately (`documents:attachment`). */
export interface ViewAttachment {
  index: number;
  id: string | null;
  description: string | null;
  fileName: string | null;
  mimeType: string | null;
  /** Decoded size in bytes of an embedded file; null for an external link. */
  size: number | null;
  externalUrl: string | null;
}

/** A reference with the business term it stands for. */
export interface ViewReference {
  /** Business term id, e.g. "BT-13". */
  term: string;
  label: string;
  value: string;
}

/** The whole document as a clerk reads it. */
export interface InvoiceView {
  docType: DocumentType;
  number: string | null;
  typeCode: string | null;
  issueDate: string | null;
  dueDate: string | null;
  taxPointDate: string | null;
  currency: string | null;
  notes: string[];
  references: ViewReference[];
  invoicePeriod: { start: string | null; end: string | null } | null;
  seller: ViewParty | null;
  buyer: ViewParty | null;
  payee: ViewParty | null;
  taxRepresentative: ViewParty | null;
  delivery: { date: string | null; partyName: string | null; address: ViewAddress | null } | null;
  paymentMeans: ViewPaymentMeans[];
  paymentTerms: string | null;
  allowancesCharges: ViewAllowanceCharge[];
  vatBreakdown: ViewVatBreakdown[];
  totalVat: string | null;
  /** BT-6, the VAT accounting currency, when the invoice names one (other than its own). */
  taxCurrency: string | null;
  /** BT-111, the VAT total in the accounting currency (BT-6), when the invoice gives it. */
  totalVatInTaxCurrency: string | null;
  totals: {
    lineExtension: string | null;
    allowances: string | null;
    charges: string | null;
    taxExclusive: string | null;
    taxInclusive: string | null;
    prepaid: string | null;
    rounding: string | null;
    payable: string | null;
  };
  lines: ViewLine[];
  attachments: ViewAttachment[];
}

/** One attachment's content, decoded. */
export interface AttachmentFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}
