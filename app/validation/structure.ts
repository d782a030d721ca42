import type { Finding } from './types';
import type { XDoc, XNode } from './xml-tree';
import { NS } from './xml-tree';
import { MAX_FINDINGS } from './engine';
import { attr, locationOf, str } from './xpath';

/**
 * Structural checks from the UBL 2.1 schema that matter in practice: unknown or misplaced
 * elements in the main aggregates, missing mandatory elements, amounts without currency,
 * and malformed dates, numbers and indicators. Ids start with `XSD-` so they are never
 * confused with Schematron rule ids.
 */

interface Model {
  /** Child names in schema order. A leading `!` marks a mandatory child. */
  seq: string[];
  /** When false only membership is checked (order not verified). */
  ordered: boolean;
}

function model(spec: string, ordered = true): Model {
  return { seq: spec.trim().split(/\s+/), ordered };
}

const ADDRESS = model(
  'cbc:ID cbc:AddressTypeCode cbc:AddressFormatCode cbc:Postbox cbc:Floor cbc:Room cbc:StreetName cbc:AdditionalStreetName cbc:BlockName cbc:BuildingName cbc:BuildingNumber cbc:InhouseMail cbc:Department cbc:MarkAttention cbc:MarkCare cbc:PlotIdentification cbc:CitySubdivisionName cbc:CityName cbc:PostalZone cbc:CountrySubentity cbc:CountrySubentityCode cbc:Region cbc:District cbc:TimezoneOffset cac:AddressLine cac:Country cac:LocationCoordinate',
);
const TAX_CATEGORY = model(
  'cbc:ID cbc:Name cbc:Percent cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TaxExemptionReasonCode cbc:TaxExemptionReason cbc:TierRange cbc:TierRatePercent !cac:TaxScheme',
);

const MODELS: Record<string, Model> = {
  'ubl:Invoice': model(
    `ext:UBLExtensions cbc:UBLVersionID cbc:CustomizationID cbc:ProfileID cbc:ProfileExecutionID !cbc:ID cbc:CopyIndicator cbc:UUID !cbc:IssueDate cbc:IssueTime cbc:DueDate cbc:InvoiceTypeCode cbc:Note cbc:TaxPointDate cbc:DocumentCurrencyCode cbc:TaxCurrencyCode cbc:PricingCurrencyCode cbc:PaymentCurrencyCode cbc:PaymentAlternativeCurrencyCode cbc:AccountingCostCode cbc:AccountingCost cbc:LineCountNumeric cbc:BuyerReference cac:InvoicePeriod cac:OrderReference cac:BillingReference cac:DespatchDocumentReference cac:ReceiptDocumentReference cac:StatementDocumentReference cac:OriginatorDocumentReference cac:ContractDocumentReference cac:AdditionalDocumentReference cac:ProjectReference cac:Signature !cac:AccountingSupplierParty !cac:AccountingCustomerParty cac:PayeeParty cac:BuyerCustomerParty cac:SellerSupplierParty cac:TaxRepresentativeParty cac:Delivery cac:DeliveryTerms cac:PaymentMeans cac:PaymentTerms cac:PrepaidPayment cac:AllowanceCharge cac:TaxExchangeRate cac:PricingExchangeRate cac:PaymentExchangeRate cac:PaymentAlternativeExchangeRate cac:TaxTotal cac:WithholdingTaxTotal !cac:LegalMonetaryTotal !cac:InvoiceLine`,
  ),
  'ubl:CreditNote': model(
    `ext:UBLExtensions cbc:UBLVersionID cbc:CustomizationID cbc:ProfileID cbc:ProfileExecutionID !cbc:ID cbc:CopyIndicator cbc:UUID !cbc:IssueDate cbc:IssueTime cbc:TaxPointDate cbc:CreditNoteTypeCode cbc:Note cbc:DocumentCurrencyCode cbc:TaxCurrencyCode cbc:PricingCurrencyCode cbc:PaymentCurrencyCode cbc:PaymentAlternativeCurrencyCode cbc:AccountingCostCode cbc:AccountingCost cbc:LineCountNumeric cbc:BuyerReference cac:InvoicePeriod cac:DiscrepancyResponse cac:OrderReference cac:BillingReference cac:DespatchDocumentReference cac:ReceiptDocumentReference cac:ContractDocumentReference cac:AdditionalDocumentReference cac:StatementDocumentReference cac:OriginatorDocumentReference cac:Signature !cac:AccountingSupplierParty !cac:AccountingCustomerParty cac:PayeeParty cac:BuyerCustomerParty cac:SellerSupplierParty cac:TaxRepresentativeParty cac:Delivery cac:DeliveryTerms cac:PaymentMeans cac:PaymentTerms cac:TaxExchangeRate cac:PricingExchangeRate cac:PaymentExchangeRate cac:PaymentAlternativeExchangeRate cac:AllowanceCharge cac:TaxTotal !cac:LegalMonetaryTotal !cac:CreditNoteLine`,
  ),
  'cac:LegalMonetaryTotal': model(
    'cbc:LineExtensionAmount cbc:TaxExclusiveAmount cbc:TaxInclusiveAmount cbc:AllowanceTotalAmount cbc:ChargeTotalAmount cbc:PrepaidAmount cbc:PayableRoundingAmount !cbc:PayableAmount cbc:PayableAlternativeAmount',
  ),
  'cac:TaxTotal': model(
    '!cbc:TaxAmount cbc:RoundingAmount cbc:TaxEvidenceIndicator cbc:TaxIncludedIndicator cac:TaxSubtotal',
  ),
  'cac:TaxSubtotal': model(
    'cbc:TaxableAmount !cbc:TaxAmount cbc:CalculationSequenceNumeric cbc:TransactionCurrencyTaxAmount cbc:Percent cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TierRange cbc:TierRatePercent !cac:TaxCategory',
  ),
  'cac:TaxCategory': TAX_CATEGORY,
  'cac:ClassifiedTaxCategory': TAX_CATEGORY,
  'cac:AllowanceCharge': model(
    'cbc:ID !cbc:ChargeIndicator cbc:AllowanceChargeReasonCode cbc:AllowanceChargeReason cbc:MultiplierFactorNumeric cbc:PrepaidIndicator cbc:SequenceNumeric !cbc:Amount cbc:BaseAmount cbc:AccountingCostCode cbc:AccountingCost cbc:PerUnitAmount cac:TaxCategory cac:TaxTotal cac:PaymentMeans',
  ),
  'cac:InvoiceLine': model(
    '!cbc:ID cbc:UUID cbc:Note cbc:InvoicedQuantity !cbc:LineExtensionAmount cbc:TaxPointDate cbc:AccountingCostCode cbc:AccountingCost cbc:PaymentPurposeCode cbc:FreeOfChargeIndicator cac:InvoicePeriod cac:OrderLineReference cac:DespatchLineReference cac:ReceiptLineReference cac:BillingReference cac:DocumentReference cac:PricingReference cac:OriginatorParty cac:Delivery cac:PaymentTerms cac:AllowanceCharge cac:TaxTotal cac:WithholdingTaxTotal !cac:Item cac:Price cac:DeliveryTerms cac:SubInvoiceLine cac:ItemPriceExtension',
  ),
  'cac:CreditNoteLine': model(
    '!cbc:ID cbc:UUID cbc:Note cbc:CreditedQuantity !cbc:LineExtensionAmount cbc:TaxPointDate cbc:AccountingCostCode cbc:AccountingCost cbc:PaymentPurposeCode cbc:FreeOfChargeIndicator cac:InvoicePeriod cac:OrderLineReference cac:DiscrepancyResponse cac:DespatchLineReference cac:ReceiptLineReference cac:BillingReference cac:DocumentReference cac:PricingReference cac:OriginatorParty cac:Delivery cac:PaymentTerms cac:TaxTotal cac:AllowanceCharge !cac:Item cac:Price cac:DeliveryTerms cac:SubCreditNoteLine cac:ItemPriceExtension',
  ),
  'cac:Item': model(
    'cbc:Description cbc:PackQuantity cbc:PackSizeNumeric cbc:CatalogueIndicator cbc:Name cbc:HazardousRiskIndicator cbc:AdditionalInformation cbc:Keyword cbc:BrandName cbc:ModelName cac:BuyersItemIdentification cac:SellersItemIdentification cac:ManufacturersItemIdentification cac:StandardItemIdentification cac:CatalogueItemIdentification cac:AdditionalItemIdentification cac:CatalogueDocumentReference cac:ItemSpecificationDocumentReference cac:OriginCountry cac:CommodityClassification cac:TransactionConditions cac:HazardousItem cac:ClassifiedTaxCategory cac:AdditionalItemProperty cac:ManufacturerParty cac:InformationContentProviderParty cac:OriginAddress cac:ItemInstance cac:Certificate cac:Dimension',
  ),
  'cac:Price': model(
    '!cbc:PriceAmount cbc:BaseQuantity cbc:PriceChangeReason cbc:PriceTypeCode cbc:PriceType cbc:OrderableUnitFactorRate cac:ValidityPeriod cac:PriceList cac:AllowanceCharge cac:PricingExchangeRate',
  ),
  'cac:Party': model(
    'cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID cbc:EndpointID cbc:IndustryClassificationCode cac:PartyIdentification cac:PartyName cac:Language cac:PostalAddress cac:PhysicalLocation cac:PartyTaxScheme cac:PartyLegalEntity cac:Contact cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount',
  ),
  'cac:PostalAddress': ADDRESS,
  'cac:PartyTaxScheme': model(
    'cbc:RegistrationName cbc:CompanyID cbc:TaxLevelCode cbc:ExemptionReasonCode cbc:ExemptionReason cac:RegistrationAddress !cac:TaxScheme',
  ),
  'cac:PartyLegalEntity': model(
    'cbc:RegistrationName cbc:CompanyID cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode cbc:CompanyLegalForm cbc:SoleProprietorshipIndicator cbc:CompanyLiquidationStatusCode cbc:CorporationStockAmount cbc:FullyPaidSharesIndicator cac:RegistrationAddress cac:CorporateRegistrationScheme cac:HeadOfficeParty cac:ShareholderParty',
  ),
  'cac:Contact': model(
    'cbc:ID cbc:Name cbc:Telephone cbc:Telefax cbc:ElectronicMail cbc:Note cac:OtherCommunication',
  ),
  'cac:PaymentMeans': model(
    'cbc:ID !cbc:PaymentMeansCode cbc:PaymentDueDate cbc:PaymentChannelCode cbc:InstructionID cbc:InstructionNote cbc:PaymentID cac:CardAccount cac:PayerFinancialAccount cac:PayeeFinancialAccount cac:CreditAccount cac:PaymentMandate cac:TradeFinancing',
  ),
  'cac:AccountingSupplierParty': model(
    'cbc:CustomerAssignedAccountID cbc:AdditionalAccountID cbc:DataSendingCapability cac:Party cac:DespatchContact cac:AccountingContact cac:SellerContact',
  ),
  'cac:AccountingCustomerParty': model(
    'cbc:CustomerAssignedAccountID cbc:SupplierAssignedAccountID cbc:AdditionalAccountID cac:Party cac:DeliveryContact cac:AccountingContact cac:BuyerContact',
  ),
};

interface CompiledModel {
  index: Map<string, number>;
  required: string[];
  ordered: boolean;
}

const COMPILED = new Map<string, CompiledModel>();
for (const [name, m] of Object.entries(MODELS)) {
  const index = new Map<string, number>();
  const required: string[] = [];
  m.seq.forEach((s, i) => {
    const q = s.startsWith('!') ? s.slice(1) : s;
    if (s.startsWith('!')) required.push(q);
    index.set(q, i);
  });
  COMPILED.set(name, { index, required, ordered: m.ordered });
}

const LEADING_MINUS = /^-/;
const DATE = /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const BOOLEAN = new Set(['true', 'false', '1', '0']);
const AMOUNT_SUFFIX = 'Amount';

function display(q: string): string {
  return q.startsWith('ubl:') ? q.slice(4) : q;
}

/** What to do about a structural finding (the file itself is malformed, not the invoice data). */
const STRUCTURE_HINTS: Record<string, string> = {
  'XSD-ELEMENT-ORDER':
    'The file does not follow the UBL layout, which usually means it was edited by hand or made by a tool that does not support Peppol. Export it again from the accounting system.',
  'XSD-UNKNOWN-ELEMENT':
    'The file contains an element that UBL does not know, which usually means it was edited by hand or made by a tool that does not support Peppol. Export it again from the accounting system.',
  'XSD-MISSING-ELEMENT':
    'Fill in the missing information in the accounting system and export the invoice again.',
  'XSD-DATATYPE':
    'Dates are written 2025-05-31, amounts with a dot as decimal separator (1234.50) and indicators as true or false. Check the export settings of the accounting system.',
  'XSD-ATTRIBUTE':
    'Every amount must say its currency. Check the export settings of the accounting system.',
  'XSD-CONTENT':
    'The file does not follow the UBL layout. Export it again from the accounting system.',
};

function finding(rule: string, n: XNode, message: string): Finding {
  const f: Finding = { rule, flag: 'fatal', message, location: locationOf(n) };
  const hint = STRUCTURE_HINTS[rule];
  if (hint !== undefined) f.hint = hint;
  return f;
}

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s
    .replace(LEADING_MINUS, '')
    .split('-')
    .map((x) => parseInt(x, 10)) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

/** Run the structural checks over the whole document in one pass. */
export function checkStructure(doc: XDoc): Finding[] {
  const out: Finding[] = [];
  for (const n of doc.elements) {
    // Every structural finding is fatal: past the cap, more of them change nothing.
    if (out.length >= MAX_FINDINGS) break;
    const isUbl = n.ns === NS.cbc || n.ns === NS.cac || n.q.startsWith('ubl:');
    if (!isUbl) continue;
    if (n.ns === NS.cbc) {
      if (n.children.length > 0) {
        out.push(
          finding('XSD-CONTENT', n, `${display(n.q)} must contain a value, not other elements.`),
        );
        continue;
      }
      const v = n.text.trim();
      const local = n.local;
      if (local.endsWith(AMOUNT_SUFFIX)) {
        if (attr(n, 'currencyID') === undefined) {
          out.push(
            finding(
              'XSD-ATTRIBUTE',
              n,
              `${display(n.q)} must state its currency (currencyID attribute).`,
            ),
          );
        }
        if (v !== '' && !DECIMAL.test(v)) {
          out.push(
            finding(
              'XSD-DATATYPE',
              n,
              `${display(n.q)} "${v}" is not a valid amount; use digits with a dot as decimal separator.`,
            ),
          );
        }
      } else if (local.endsWith('Date')) {
        if (v !== '' && !validDate(v)) {
          out.push(
            finding(
              'XSD-DATATYPE',
              n,
              `${display(n.q)} "${v}" is not a valid date; use YYYY-MM-DD.`,
            ),
          );
        }
      } else if (local.endsWith('Quantity') || local.endsWith('Numeric') || local === 'Percent') {
        if (v !== '' && !DECIMAL.test(v)) {
          out.push(finding('XSD-DATATYPE', n, `${display(n.q)} "${v}" is not a valid number.`));
        }
      } else if (local.endsWith('Indicator')) {
        if (v !== '' && !BOOLEAN.has(v)) {
          out.push(finding('XSD-DATATYPE', n, `${display(n.q)} must be true or false.`));
        }
      }
      continue;
    }
    const m = COMPILED.get(n.q);
    if (m === undefined) continue;
    let last = -1;
    let seen: Set<string> | null = null;
    for (const ch of n.children) {
      if (ch.ns !== NS.cbc && ch.ns !== NS.cac && ch.ns !== NS.ext) continue;
      const i = m.index.get(ch.q);
      if (i === undefined) {
        out.push(
          finding(
            'XSD-UNKNOWN-ELEMENT',
            ch,
            `${display(ch.q)} is not allowed inside ${display(n.q)}.`,
          ),
        );
        continue;
      }
      if (m.ordered && i < last) {
        out.push(
          finding(
            'XSD-ELEMENT-ORDER',
            ch,
            `${display(ch.q)} is in the wrong place inside ${display(n.q)}; the elements must follow the UBL order.`,
          ),
        );
      }
      if (i > last) last = i;
      (seen ??= new Set()).add(ch.q);
    }
    for (const r of m.required) {
      if (seen === null || !seen.has(r)) {
        out.push(finding('XSD-MISSING-ELEMENT', n, `${display(n.q)} must contain ${display(r)}.`));
      }
    }
    if (n.text.trim() !== '' && str(n) !== '') {
      out.push(finding('XSD-CONTENT', n, `${display(n.q)} must not contain text directly.`));
    }
  }
  return out;
}
