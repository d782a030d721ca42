import type { Ctx, Rule } from '../rule';
import type { XDoc, XNode } from '../xml-tree';
import { all, attr, child, children, childrenNamed, count, first, has, str, val } from '../xpath';
import { lines } from './common';

/**
 * UBL syntax rules of the EN 16931 UBL binding: UBL-CR-* (elements EN 16931 does not use;
 * mostly warnings), UBL-SR-* (cardinality) and UBL-DT-* (data types).
 */

// ---------------------------------------------------------------------------------------------
// UBL-CR: "should not include". Paths are relative to the document element; `L/` starts at the
// lines, `//` searches everywhere. Numbering follows the official rule ids.

const DOC_REF =
  'cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:DocumentTypeCode cbc:DocumentType cbc:Xpath cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode cbc:DocumentDescription cac:Attachment cac:ValidityPeriod cac:IssuerParty cac:ResultOfVerification';
const ADDRESS =
  'cbc:ID cbc:AddressTypeCode cbc:AddressFormatCode cbc:Postbox cbc:Floor cbc:Room cbc:BlockName cbc:BuildingName cbc:BuildingNumber cbc:InhouseMail cbc:Department cbc:MarkAttention cbc:MarkCare cbc:PlotIdentification cbc:CitySubdivisionName cbc:CountrySubentityCode cbc:Region cbc:District cbc:TimezoneOffset';
const PTS =
  'cbc:RegistrationName cbc:TaxLevelCode cbc:ExemptionReasonCode cbc:ExemptionReason cac:RegistrationAddress';
const TAX_SCHEME = 'cbc:Name cbc:TaxTypeCode cbc:CurrencyCode cac:JurisdictionRegionAddress';
const ITEM_ID =
  'cbc:ExtendedID cbc:BareCodeSymbologyID cac:PhysicalAttribute cac:MeasurementDimension cac:IssuerParty';

function expand(base: string, names: string): string[] {
  return names.split(' ').map((n) => (base === '' ? n : `${base}/${n}`));
}

function partyBlock(p: string, legal: string): string[] {
  return [
    ...expand(
      p,
      'cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID cbc:IndustryClassificationCode cac:Language',
    ),
    ...expand(`${p}/cac:PostalAddress`, ADDRESS),
    `${p}/cac:PostalAddress/cac:Country/cbc:Name`,
    `${p}/cac:PostalAddress/cac:LocationCoordinate`,
    `${p}/cac:PhysicalLocation`,
    ...expand(`${p}/cac:PartyTaxScheme`, PTS),
    ...expand(`${p}/cac:PartyTaxScheme/cac:TaxScheme`, TAX_SCHEME),
    ...expand(`${p}/cac:PartyLegalEntity`, legal),
    ...expand(`${p}/cac:Contact`, 'cbc:ID cbc:Telefax cbc:Note cac:OtherCommunication'),
    ...expand(
      p,
      'cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount',
    ),
  ];
}

const LEGAL_TAIL =
  'cbc:SoleProprietorshipIndicator cbc:CompanyLiquidationStatusCode cbc:CorporationStockAmount cbc:FullyPaidSharesIndicator cac:RegistrationAddress cac:CorporateRegistrationScheme cac:HeadOfficeParty cac:ShareholderParty';

/** [first id number, paths...] blocks in official order. */
const CR_BLOCKS: [number, string[]][] = [
  [
    1,
    [
      'ext:UBLExtensions',
      '!UBLVersionID',
      'cbc:ProfileExecutionID',
      'cbc:CopyIndicator',
      'cbc:UUID',
      'cbc:IssueTime',
      'cbc:PricingCurrencyCode',
      'cbc:PaymentCurrencyCode',
      'cbc:PaymentAlternativeCurrencyCode',
      'cbc:AccountingCostCode',
      'cbc:LineCountNumeric',
    ],
  ],
  [
    12,
    expand('cac:InvoicePeriod', 'cbc:StartTime cbc:EndTime cbc:DurationMeasure cbc:Description'),
  ],
  [
    16,
    expand(
      'cac:OrderReference',
      'cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:CustomerReference cbc:OrderTypeCode cac:DocumentReference',
    ),
  ],
  [
    23,
    expand(
      'cac:BillingReference/cac:InvoiceDocumentReference',
      'cbc:CopyIndicator cbc:UUID cbc:IssueTime cbc:DocumentTypeCode cbc:DocumentType cbc:Xpath cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode cbc:DocumentDescription cac:Attachment cac:ValidityPeriod cac:IssuerParty cac:ResultOfVerification',
    ),
  ],
  [
    38,
    expand(
      'cac:BillingReference',
      'cac:SelfBilledInvoiceDocumentReference cac:CreditNoteDocumentReference cac:SelfBilledCreditNoteDocumentReference cac:DebitNoteDocumentReference cac:ReminderDocumentReference cac:AdditionalDocumentReference cac:BillingReferenceLine',
    ),
  ],
  [45, expand('cac:DespatchDocumentReference', DOC_REF)],
  [61, expand('cac:ReceiptDocumentReference', DOC_REF)],
  [77, ['cac:StatementDocumentReference']],
  [78, expand('cac:OriginatorDocumentReference', DOC_REF)],
  [94, expand('cac:ContractDocumentReference', DOC_REF)],
  [
    110,
    expand(
      'cac:AdditionalDocumentReference',
      'cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime cbc:DocumentType cbc:Xpath cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode',
    ),
  ],
  [
    121,
    expand(
      'cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference',
      'cbc:DocumentHash cbc:HashAlgorithmMethod cbc:ExpiryDate cbc:ExpiryTime cbc:MimeCode cbc:FormatCode cbc:EncodingCode cbc:CharacterSetCode cbc:FileName cbc:Description',
    ),
  ],
  [
    131,
    expand(
      'cac:AdditionalDocumentReference',
      'cac:ValidityPeriod cac:IssuerParty cac:ResultOfVerification',
    ),
  ],
  [134, expand('cac:ProjectReference', 'cbc:UUID cbc:IssueDate cac:WorkPhaseReference')],
  [137, ['cac:Signature']],
  [
    138,
    expand(
      'cac:AccountingSupplierParty',
      'cbc:CustomerAssignedAccountID cbc:AdditionalAccountID cbc:DataSendingCapability',
    ),
  ],
  [
    141,
    partyBlock(
      'cac:AccountingSupplierParty/cac:Party',
      `cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode ${LEGAL_TAIL}`,
    ),
  ],
  [
    198,
    expand(
      'cac:AccountingSupplierParty',
      'cac:DespatchContact cac:AccountingContact cac:SellerContact',
    ),
  ],
  [
    201,
    expand(
      'cac:AccountingCustomerParty',
      'cbc:CustomerAssignedAccountID cbc:SupplierAssignedAccountID cbc:AdditionalAccountID',
    ),
  ],
  [
    204,
    partyBlock(
      'cac:AccountingCustomerParty/cac:Party',
      `cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode cbc:CompanyLegalForm ${LEGAL_TAIL}`,
    ),
  ],
  [
    262,
    expand(
      'cac:AccountingCustomerParty',
      'cac:DeliveryContact cac:AccountingContact cac:BuyerContact',
    ),
  ],
  [
    265,
    [
      ...expand(
        'cac:PayeeParty',
        'cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID cbc:EndpointID cbc:IndustryClassificationCode cac:Language cac:PostalAddress cac:PhysicalLocation cac:PartyTaxScheme',
      ),
      ...expand(
        'cac:PayeeParty/cac:PartyLegalEntity',
        `cbc:RegistrationName cbc:RegistrationDate cbc:RegistrationExpirationDate cbc:CompanyLegalFormCode cbc:CompanyLegalForm ${LEGAL_TAIL}`,
      ),
      ...expand(
        'cac:PayeeParty',
        'cac:Contact cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount',
      ),
    ],
  ],
  [294, ['cac:BuyerCustomerParty', 'cac:SellerSupplierParty']],
  [
    296,
    [
      ...expand(
        'cac:TaxRepresentativeParty',
        'cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID cbc:EndpointID cbc:IndustryClassificationCode cac:PartyIdentification cac:Language',
      ),
      ...expand('cac:TaxRepresentativeParty/cac:PostalAddress', ADDRESS),
      'cac:TaxRepresentativeParty/cac:PostalAddress/cac:Country/cbc:Name',
      'cac:TaxRepresentativeParty/cac:PostalAddress/cac:LocationCoordinate',
      'cac:TaxRepresentativeParty/cac:PhysicalLocation',
      ...expand('cac:TaxRepresentativeParty/cac:PartyTaxScheme', PTS),
      ...expand('cac:TaxRepresentativeParty/cac:PartyTaxScheme/cac:TaxScheme', TAX_SCHEME),
      ...expand(
        'cac:TaxRepresentativeParty',
        'cac:PartyLegalEntity cac:Contact cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount',
      ),
    ],
  ],
  [
    342,
    expand(
      'cac:Delivery',
      'cbc:ID cbc:Quantity cbc:MinimumQuantity cbc:MaximumQuantity cbc:ActualDeliveryTime cbc:LatestDeliveryDate cbc:LatestDeliveryTime cbc:ReleaseID cbc:TrackingID',
    ),
  ],
  [
    351,
    expand(
      'cac:Delivery/cac:DeliveryLocation',
      'cbc:Description cbc:Conditions cbc:CountrySubentity cbc:CountrySubentityCode cbc:LocationTypeCode cbc:InformationURI cbc:Name cac:ValidationPeriod',
    ),
  ],
  [
    359,
    [
      ...expand('cac:Delivery/cac:DeliveryLocation/cac:Address', ADDRESS),
      'cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:Name',
      'cac:Delivery/cac:DeliveryLocation/cac:Address/cac:LocationCoordinate',
      'cac:Delivery/cac:DeliveryLocation/cac:SubsidiaryLocation',
      'cac:Delivery/cac:DeliveryLocation/cac:LocationCoordinate',
    ],
  ],
  [
    382,
    expand(
      'cac:Delivery',
      'cac:AlternativeDeliveryLocation cac:RequestedDeliveryPeriod cac:PromisedDeliveryPeriod cac:CarrierParty',
    ),
  ],
  [
    386,
    expand(
      'cac:Delivery/cac:DeliveryParty',
      'cbc:MarkCareIndicator cbc:MarkAttentionIndicator cbc:WebsiteURI cbc:LogoReferenceID cbc:EndpointID cbc:IndustryClassificationCode cac:PartyIdentification cac:Language cac:PostalAddress cac:PhysicalLocation cac:PartyTaxScheme cac:PartyLegalEntity cac:Contact cac:Person cac:AgentParty cac:ServiceProviderParty cac:PowerOfAttorney cac:FinancialAccount',
    ),
  ],
  [
    404,
    expand(
      'cac:Delivery',
      'cac:NotifyParty cac:Despatch cac:DeliveryTerms cac:MinimumDeliveryUnit cac:MaximumDeliveryUnit cac:Shipment',
    ),
  ],
  [
    410,
    [
      'cac:DeliveryTerms',
      'cac:PaymentMeans/cbc:ID',
      '!PaymentDueDate',
      'cac:PaymentMeans/cbc:PaymentChannelCode',
      'cac:PaymentMeans/cbc:InstructionID',
    ],
  ],
  [
    415,
    expand(
      'cac:PaymentMeans/cac:CardAccount',
      'cbc:CardTypeCode cbc:ValidityStartDate cbc:ExpiryDate cbc:IssuerID cbc:IssuerNumberID cbc:CV2ID cbc:CardChipCode cbc:ChipApplicationID',
    ),
  ],
  [
    424,
    [
      ...expand(
        'cac:PaymentMeans/cac:PayeeFinancialAccount',
        'cbc:AliasName cbc:AccountTypeCode cbc:AccountFormatCode cbc:CurrencyCode cbc:PaymentNote',
      ),
      'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:Name',
      'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cac:FinancialInstitution/cbc:Name',
      'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cac:FinancialInstitution/cac:Address',
      'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cac:Address',
      'cac:PaymentMeans/cac:PayeeFinancialAccount/cac:Country',
      'cac:PaymentMeans/cac:CreditAccount',
      ...expand(
        'cac:PaymentMeans/cac:PaymentMandate',
        'cbc:MandateTypeCode cbc:MaximumPaymentInstructionsNumeric cbc:MaximumPaidAmount cbc:SignatureID cac:PayerParty',
      ),
      ...expand(
        'cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount',
        'cbc:Name cbc:AliasName cbc:AccountTypeCode cbc:AccountFormatCode cbc:CurrencyCode cbc:PaymentNote cac:FinancialInstitutionBranch cac:Country',
      ),
      ...expand(
        'cac:PaymentMeans/cac:PaymentMandate',
        'cac:ValidityPeriod cac:PaymentReversalPeriod cac:Clause',
      ),
      'cac:PaymentMeans/cac:TradeFinancing',
    ],
  ],
  [
    452,
    expand(
      'cac:PaymentTerms',
      'cbc:ID cbc:PaymentMeansID cbc:PrepaidPaymentReferenceID cbc:ReferenceEventCode cbc:SettlementDiscountPercent cbc:PenaltySurchargePercent cbc:PaymentPercent cbc:Amount cbc:SettlementDiscountAmount cbc:PenaltyAmount cbc:PaymentTermsDetailsURI cbc:PaymentDueDate cbc:InstallmentDueDate cbc:InvoicingPartyReference cac:SettlementPeriod cac:PenaltyPeriod cac:ExchangeRate cac:ValidityPeriod',
    ),
  ],
  [
    470,
    [
      'cac:PrepaidPayment',
      ...expand(
        'cac:AllowanceCharge',
        'cbc:ID cbc:PrepaidIndicator cbc:SequenceNumeric cbc:AccountingCostCode cbc:AccountingCost cbc:PerUnitAmount',
      ),
    ],
  ],
  [
    477,
    [
      ...expand(
        'cac:AllowanceCharge/cac:TaxCategory',
        'cbc:Name cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TaxExemptionReasonCode cbc:TaxExemptionReason cbc:TierRange cbc:TierRatePercent',
      ),
      ...expand(
        'cac:AllowanceCharge/cac:TaxCategory/cac:TaxScheme',
        'cbc:Name cbc:TaxTypeCode cbc:CurrencyCode cac:JurisdiccionRegionAddress',
      ),
      ...expand('cac:AllowanceCharge', 'cac:TaxTotal cac:PaymentMeans'),
      'cac:TaxExchangeRate',
      'cac:PricingExchangeRate',
      'cac:PaymentExchangeRate',
      'cac:PaymentAlternativeExchangeRate',
      ...expand(
        'cac:TaxTotal',
        'cbc:RoundingAmount cbc:TaxEvidenceIndicator cbc:TaxIncludedIndicator',
      ),
      ...expand(
        'cac:TaxTotal/cac:TaxSubtotal',
        'cbc:CalculationSequenceNumeric cbc:TransactionCurrencyTaxAmount cbc:Percent cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TierRange cbc:TierRatePercent',
      ),
      ...expand(
        'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory',
        'cbc:Name cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TierRange cbc:TierRatePercent',
      ),
      ...expand(
        'cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme',
        'cbc:Name cbc:TaxTypeCode cbc:CurrencyCode cac:JurisdiccionRegionAddress',
      ),
      'cac:WithholdingTaxTotal',
      'cac:LegalMonetaryTotal/cbc:PayableAlternativeAmount',
    ],
  ],
  [
    515,
    [
      ...expand(
        'L',
        'cbc:UUID cbc:TaxPointDate cbc:AccountingCostCode cbc:PaymentPurposeCode cbc:FreeOfChargeIndicator',
      ),
      ...expand(
        'L/cac:InvoicePeriod',
        'cbc:StartTime cbc:EndTime cbc:DurationMeasure cbc:DescriptionCode cbc:Description',
      ),
      ...expand(
        'L/cac:OrderLineReference',
        'cbc:SalesOrderLineID cbc:UUID cbc:LineStatusCode cac:OrderReference',
      ),
      ...expand('L', 'cac:DespatchLineReference cac:ReceiptLineReference cac:BillingReference'),
      ...expand(
        'L/cac:DocumentReference',
        'cbc:CopyIndicator cbc:UUID cbc:IssueDate cbc:IssueTime',
      ),
    ],
  ],
  [
    537,
    [
      ...expand(
        'L/cac:DocumentReference',
        'cbc:DocumentType cbc:Xpath cbc:LanguageID cbc:LocaleCode cbc:VersionID cbc:DocumentStatusCode cbc:DocumentDescription cac:Attachment cac:ValidityPeriod cac:IssuerParty cac:ResultOfVerification',
      ),
      ...expand('L', 'cac:PricingReference cac:OriginatorParty cac:Delivery cac:PaymentTerms'),
      ...expand(
        'L/cac:AllowanceCharge',
        'cbc:ID cbc:PrepaidIndicator cbc:SequenceNumeric cbc:AccountingCostCode cbc:AccountingCost cbc:PerUnitAmount cac:TaxCategory cac:TaxTotal cac:PaymentMeans',
      ),
      ...expand('L', 'cac:TaxTotal cac:WithholdingTaxTotal'),
      ...expand(
        'L/cac:Item',
        'cbc:PackQuantity cbc:PackSizeNumeric cbc:CatalogueIndicator cbc:HazardousRiskIndicator cbc:AdditionalInformation cbc:Keyword cbc:BrandName cbc:ModelName',
      ),
      ...expand('L/cac:Item/cac:BuyersItemIdentification', ITEM_ID),
      ...expand('L/cac:Item/cac:SellersItemIdentification', ITEM_ID),
      'L/cac:Item/cac:ManufacturersItemIdentification',
      ...expand('L/cac:Item/cac:StandardItemIdentification', ITEM_ID),
      ...expand(
        'L/cac:Item',
        'cac:CatalogueItemIdentification cac:AdditionalItemIdentification cac:CatalogueDocumentReference cac:ItemSpecificationDocumentReference',
      ),
      'L/cac:Item/cac:OriginCountry/cbc:Name',
      ...expand(
        'L/cac:Item/cac:CommodityClassification',
        'cbc:NatureCode cbc:CargoTypeCode cbc:CommodityCode',
      ),
      ...expand('L/cac:Item', 'cac:TransactionConditions cac:HazardousItem'),
      ...expand(
        'L/cac:Item/cac:ClassifiedTaxCategory',
        'cbc:Name cbc:BaseUnitMeasure cbc:PerUnitAmount cbc:TaxExemptionReasonCode cbc:TaxExemptionReason cbc:TierRange cbc:TierRatePercent',
      ),
      ...expand(
        'L/cac:Item/cac:ClassifiedTaxCategory/cac:TaxScheme',
        'cbc:Name cbc:TaxTypeCode cbc:CurrencyCode cac:JurisdiccionRegionAddress',
      ),
      ...expand(
        'L/cac:Item/cac:AdditionalItemProperty',
        'cbc:ID cbc:NameCode cbc:TestMethod cbc:ValueQuantity cbc:ValueQualifier cbc:ImportanceCode cbc:ListValue cac:UsabilityPeriod cac:ItemPropertyGroup cac:RangeDimension cac:ItemPropertyRange',
      ),
      ...expand(
        'L/cac:Item',
        'cac:ManufacturerParty cac:InformationContentProviderParty cac:OriginAddress cac:ItemInstance cac:Certificate cac:Dimension',
      ),
      ...expand(
        'L/cac:Price',
        'cbc:PriceChangeReason cbc:PriceTypeCode cbc:PriceType cbc:OrderableUnitFactorRate cac:ValidityPeriod cac:PriceList cbc:OrderableUnitFactorRate',
      ),
      ...expand(
        'L/cac:Price/cac:AllowanceCharge',
        'cbc:ID cbc:AllowanceChargeReasonCode cbc:AllowanceChargeReason cbc:MultiplierFactorNumeric cbc:PrepaidIndicator cbc:SequenceNumeric cbc:AccountingCostCode cbc:AccountingCost cbc:PerUnitAmount cac:TaxCategory cac:TaxTotal cac:PaymentMeans',
      ),
      'L/cac:Price/cac:PricingExchangeRate',
      ...expand('L', 'cac:DeliveryTerms cac:SubInvoiceLine cac:ItemPriceExtension'),
      ...expand(
        '',
        'cbc:CustomizationID/@schemeID cbc:ProfileID/@schemeID cbc:ID/@schemeID cbc:SalesOrderID/@schemeID //cac:PartyTaxScheme/cbc:CompanyID/@schemeID cac:PaymentMeans/cbc:PaymentID/@schemeID cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID/@schemeID cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID/@schemeID cbc:InvoiceTypeCode/@listID cbc:DocumentCurrencyCode/@listID cbc:TaxCurrencyCode/@listID cac:AdditionalDocumentReference/cbc:DocumentTypeCode/@listID //cac:Country/cbc:IdentificationCode/@listID cac:PaymentMeans/cbc:PaymentMeansCode/@listID //cbc:AllowanceChargeReasonCode/@listID //@unitCodeListID //cac:FinancialInstitution !665 !666 //cac:BuyersItemIdentification/cbc:ID/@schemeID //cac:SellersItemIdentification/cbc:ID/@schemeID //cac:Price/cac:AllowanceCharge/cbc:AllowanceChargeReasonCode //cac:Price/cac:AllowanceCharge/cbc:AllowanceChargeReason //cac:Price/cac:AllowanceCharge/cbc:MultiplierFactorNumeric cbc:CreditNoteTypeCode/@listID !673 //cbc:PrimaryAccountNumber/@schemeID //cac:CardAccount/cbc:NetworkID/@schemeID //cac:PaymentMandate/cbc:ID/@schemeID //cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID/@schemeID //cac:TaxCategory/cbc:ID/@schemeID //cac:ClassifiedTaxCategory/cbc:ID/@schemeID //cac:PaymentMeans/cac:PayerFinancialAccount',
      ),
    ],
  ],
];

interface Compiled {
  start: 'root' | 'lines' | 'any';
  steps: string[];
  attr: string | null;
}

function compile(path: string): Compiled {
  let start: Compiled['start'] = 'root';
  let p = path;
  if (p.startsWith('//')) {
    start = 'any';
    p = p.slice(2);
  } else if (p.startsWith('L/') || p === 'L') {
    start = 'lines';
    p = p === 'L' ? '' : p.slice(2);
  }
  const steps = p === '' ? [] : p.split('/');
  let a: string | null = null;
  if (steps.length > 0 && steps[steps.length - 1]!.startsWith('@')) a = steps.pop()!.slice(1);
  return { start, steps, attr: a };
}

function existsFrom(n: XNode, steps: readonly string[], i: number, a: string | null): boolean {
  if (i === steps.length) return a === null || (n.attrs !== null && n.attrs[a] !== undefined);
  const cs = childrenNamed(n, steps[i]!);
  if (cs === undefined) return false;
  for (let k = 0; k < cs.length; k++) if (existsFrom(cs[k]!, steps, i + 1, a)) return true;
  return false;
}

/** The first element matching the path from `n` (for `@attr`, the element carrying it). */
function firstFrom(
  n: XNode,
  steps: readonly string[],
  i: number,
  a: string | null,
): XNode | undefined {
  if (i === steps.length) {
    return a === null || (n.attrs !== null && n.attrs[a] !== undefined) ? n : undefined;
  }
  for (const ch of childrenNamed(n, steps[i]!) ?? []) {
    const hit = firstFrom(ch, steps, i + 1, a);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The first element a compiled path finds, in document order per start point. */
function findPath(c: Ctx, cp: Compiled): XNode | undefined {
  if (cp.start === 'any') {
    if (cp.steps.length === 0) {
      return c.doc.elements.find((e) => e.attrs !== null && e.attrs[cp.attr!] !== undefined);
    }
    for (const h of c.nodes(cp.steps[0]!)) {
      const hit = firstFrom(h, cp.steps, 1, cp.attr);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (cp.start === 'lines') {
    for (const h of lines(c)) {
      const hit = firstFrom(h, cp.steps, 0, cp.attr);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  return firstFrom(c.root, cp.steps, 0, cp.attr);
}

function existsPath(c: Ctx, cp: Compiled): boolean {
  // Fast exit: an element of the path does not occur anywhere in the document (checked from the
  // last step, the most specific; each is one index lookup instead of a walk of every line).
  for (let i = cp.steps.length - 1; i >= 0; i--)
    if (c.nodes(cp.steps[i]!).length === 0) return false;
  if (cp.start === 'any') {
    if (cp.steps.length === 0) {
      // //@attr: any element carrying the attribute.
      return c.doc.elements.some((e) => e.attrs !== null && e.attrs[cp.attr!] !== undefined);
    }
    for (const h of c.nodes(cp.steps[0]!)) if (existsFrom(h, cp.steps, 1, cp.attr)) return true;
    return false;
  }
  if (cp.start === 'lines') {
    for (const h of lines(c)) if (existsFrom(h, cp.steps, 0, cp.attr)) return true;
    return false;
  }
  return existsFrom(c.root, cp.steps, 0, cp.attr);
}

function adrWithCode130(c: Ctx, is130: boolean): XNode[] {
  return c.nodes('cac:AdditionalDocumentReference').filter((r) => {
    const codes = children(r, 'cbc:DocumentTypeCode');
    return is130
      ? codes.some((x) => str(x) === '130')
      : codes.some((x) => str(x) !== '130') || codes.length === 0;
  });
}

/** UBL-CR rules that are more than "this element is present": test, offending node and wording. */
const SPECIAL: Record<
  string,
  {
    test: (n: XNode, c: Ctx) => boolean;
    locate: (c: Ctx) => XNode | undefined;
    label: string;
  }
> = {
  '!UBLVersionID': {
    test: (_n, c) => children(c.root, 'cbc:UBLVersionID').every((v) => str(v) === '2.1'),
    locate: (c) => children(c.root, 'cbc:UBLVersionID').find((v) => str(v) !== '2.1'),
    label: 'a UBL version (UBLVersionID) other than 2.1',
  },
  '!PaymentDueDate': {
    test: (_n, c) => !c.isInvoice || !has(c.root, 'cac:PaymentMeans', 'cbc:PaymentDueDate'),
    locate: (c) => first(c.root, 'cac:PaymentMeans', 'cbc:PaymentDueDate'),
    label:
      'a due date inside the payment means (PaymentMeans/PaymentDueDate; use the payment due date BT-9 instead)',
  },
  '!665': {
    test: (_n, c) =>
      !adrWithCode130(c, false).some((r) =>
        children(r, 'cbc:ID').some((i) => attr(i, 'schemeID') !== undefined),
      ),
    locate: (c) =>
      adrWithCode130(c, false)
        .flatMap((r) => children(r, 'cbc:ID'))
        .find((i) => attr(i, 'schemeID') !== undefined),
    label:
      'a scheme identifier on a supporting document reference (AdditionalDocumentReference/ID/@schemeID) that is not an invoiced object (document type 130)',
  },
  '!666': {
    test: (_n, c) => !adrWithCode130(c, true).some((r) => has(r, 'cac:Attachment')),
    locate: (c) =>
      adrWithCode130(c, true)
        .map((r) => child(r, 'cac:Attachment'))
        .find((x) => x !== undefined),
    label: 'an attachment on an invoiced object reference (document type 130)',
  },
  '!673': {
    test: (_n, c) => !adrWithCode130(c, true).some((r) => has(r, 'cbc:DocumentDescription')),
    locate: (c) =>
      adrWithCode130(c, true)
        .map((r) => child(r, 'cbc:DocumentDescription'))
        .find((x) => x !== undefined),
    label: 'a description on an invoiced object reference (document type 130)',
  },
};

/** "the invoice" / "the credit note", and the line element's name, for wording per document. */
function docWords(c: Ctx): { doc: string; line: string } {
  return c.isInvoice
    ? { doc: 'The invoice', line: 'InvoiceLine' }
    : { doc: 'The credit note', line: 'CreditNoteLine' };
}

const FATAL_CR = new Set([666, 673]);

function crRules(): Rule[] {
  const out: Rule[] = [];
  for (const [startNo, paths] of CR_BLOCKS) {
    let no = startNo;
    for (const path of paths) {
      const id = `UBL-CR-${String(no).padStart(3, '0')}`;
      const special = SPECIAL[path];
      const cp = special === undefined ? compile(path) : null;
      // Readable element path, e.g. "line/Item/Description"; the line's name depends on the document.
      const label = (line: string) =>
        special?.label ??
        path
          .replace(/^L\//, `${line}/`)
          .replace(/^L$/, line)
          .replace(/^\/\//, '')
          .replace(/c[ab]c:|ext:/g, '');
      const fatal = FATAL_CR.has(no);
      const wording = (w: { doc: string; line: string }) =>
        fatal
          ? `An invoiced object reference (document type 130, BT-18) must not also carry an attachment or a description: remove ${label(w.line)}.`
          : `${w.doc} contains ${label(w.line)}, which Peppol BIS Billing 3.0 does not use; the receiver will ignore it.`;
      out.push({
        id,
        flag: fatal ? 'fatal' : 'warning',
        message: wording({ doc: 'The invoice', line: 'InvoiceLine' }),
        messageFor: (c) => wording(docWords(c)),
        context: '/',
        test: special?.test ?? ((_n, c) => !existsPath(c, cp!)),
        locate: (_n, c) => (special ? special.locate(c) : findPath(c, cp!)),
      });
      no++;
    }
  }
  return out;
}

const ATTRIBUTE_NAMES = new WeakMap<XDoc, Set<string>>();

/** Every attribute name used anywhere in the document (computed once per document). */
function attributeNames(doc: XDoc): Set<string> {
  let names = ATTRIBUTE_NAMES.get(doc);
  if (names === undefined) {
    names = new Set();
    for (const e of doc.elements) if (e.attrs !== null) for (const k in e.attrs) names.add(k);
    ATTRIBUTE_NAMES.set(doc, names);
  }
  return names;
}

const DT_ATTRS: [string, string][] = [
  ['UBL-DT-08', 'schemeName'],
  ['UBL-DT-09', 'schemeAgencyName'],
  ['UBL-DT-10', 'schemeDataURI'],
  ['UBL-DT-11', 'schemeURI'],
  ['UBL-DT-12', 'format'],
  ['UBL-DT-13', 'unitCodeListIdentifier'],
  ['UBL-DT-14', 'unitCodeListAgencyIdentifier'],
  ['UBL-DT-15', 'unitCodeListAgencyName'],
  ['UBL-DT-16', 'listAgencyName'],
  ['UBL-DT-17', 'listName'],
  ['UBL-DT-19', 'languageID'],
  ['UBL-DT-20', 'listURI'],
  ['UBL-DT-21', 'listSchemeURI'],
  ['UBL-DT-22', 'languageLocaleID'],
  ['UBL-DT-23', 'uri'],
  ['UBL-DT-24', 'currencyCodeListVersionID'],
  ['UBL-DT-25', 'characterSetCode'],
  ['UBL-DT-26', 'encodingCode'],
  ['UBL-DT-27', 'schemeAgencyID'],
  ['UBL-DT-28', 'listAgencyID'],
];

function countAll(n: XNode, ...path: string[]): number {
  return count(n, ...path);
}

function distinctValues(nodes: readonly XNode[]): number {
  return new Set(nodes.map(str)).size;
}

/** "… may occur at most once": the finding points at the second occurrence. */
function atMostOnce(id: string, message: string, path: readonly string[]): Rule {
  return {
    id,
    flag: 'fatal',
    message,
    context: '/',
    test: (n) => countAll(n, ...path) <= 1,
    locate: (n) => all(n, ...path)[1],
  };
}

function rootSR(id: string, message: string, test: (n: XNode, c: Ctx) => boolean): Rule {
  return { id, flag: 'fatal', message, context: '/', test };
}

function vatCompanyIds(party: XNode | undefined, vat: boolean): number {
  let k = 0;
  for (const pts of children(party, 'cac:PartyTaxScheme')) {
    const isVat = all(pts, 'cac:TaxScheme', 'cbc:ID').some((i) => str(i).toUpperCase() === 'VAT');
    const isOther = all(pts, 'cac:TaxScheme', 'cbc:ID').some((i) => str(i).toUpperCase() !== 'VAT');
    if (vat ? isVat : isOther) k += children(pts, 'cbc:CompanyID').length;
  }
  return k;
}

const LINE = ['cac:InvoiceLine', 'cac:CreditNoteLine'];

function payeeDiffers(n: XNode): boolean {
  const names = all(n, 'cac:PartyName', 'cbc:Name').map(str);
  const seller = all(
    n.parent ?? undefined,
    'cac:AccountingSupplierParty',
    'cac:Party',
    'cac:PartyLegalEntity',
    'cbc:RegistrationName',
  ).map(str);
  return names.some((a) => seller.some((b) => a !== b));
}

/** UBL syntax rules. */
export const ublSyntaxRules: Rule[] = [
  {
    id: 'UBL-SR-42',
    flag: 'fatal',
    message:
      'The seller may have at most two tax registrations: the seller VAT identifier (BT-31) and the seller tax registration identifier (BT-32).',
    context: 'cac:Party',
    when: (n) => n.parent?.q === 'cac:AccountingSupplierParty',
    test: (n) => children(n, 'cac:PartyTaxScheme').length <= 2,
  },
  {
    id: 'UBL-SR-53',
    flag: 'fatal',
    message:
      'A tax registration must state its identifier, e.g. the VAT identifier (BT-31, BT-48, BT-63) or the tax registration identifier (BT-32).',
    context: 'cac:PartyTaxScheme',
    test: (n) => has(n, 'cbc:CompanyID') && has(n, 'cac:TaxScheme', 'cbc:ID'),
  },
  {
    id: 'UBL-SR-33',
    flag: 'fatal',
    message: 'A supporting document may have at most one description (BT-123).',
    context: 'cac:AdditionalDocumentReference',
    test: (n) => children(n, 'cbc:DocumentDescription').length <= 1,
  },
  {
    id: 'UBL-SR-43',
    flag: 'fatal',
    message:
      'A scheme identifier (BT-18-1) on a document reference may only be used for an invoiced object identifier (BT-18, document type code 130).',
    context: 'cac:AdditionalDocumentReference',
    test: (n, c) => {
      const codes = children(n, 'cbc:DocumentTypeCode').map(str);
      if (codes.includes('130')) return true;
      if (!c.isInvoice && codes.includes('50')) return true;
      return (
        !children(n, 'cbc:ID').some((i) => attr(i, 'schemeID') !== undefined) && codes.length === 0
      );
    },
  },
  {
    id: 'UBL-DT-01',
    flag: 'fatal',
    message:
      'Amounts (e.g. the document totals BG-22, VAT amounts BT-117 and line net amounts BT-131) may have at most two decimals.',
    context: '*',
    when: (n) => {
      if (!n.local.endsWith('Amount') || n.local.endsWith('PriceAmount')) return false;
      for (let p = n.parent; p !== null; p = p.parent) {
        if (p.q === 'cac:Price' && has(p, 'cac:AllowanceCharge')) return false;
      }
      return true;
    },
    test: (n) => {
      const s = str(n);
      const i = s.indexOf('.');
      return i < 0 || s.length - i - 1 <= 2;
    },
  },
  {
    id: 'UBL-DT-06',
    flag: 'fatal',
    message: 'An attached document (BT-125) must have a MIME code (BT-125-1).',
    context: '*',
    when: (n) => n.local.endsWith('BinaryObject'),
    test: (n) => attr(n, 'mimeCode') !== undefined,
  },
  {
    id: 'UBL-DT-07',
    flag: 'fatal',
    message: 'An attached document (BT-125) must have a file name (BT-125-2).',
    context: '*',
    when: (n) => n.local.endsWith('BinaryObject'),
    test: (n) => attr(n, 'filename') !== undefined,
  },
  {
    id: 'UBL-SR-25',
    flag: 'fatal',
    message: 'Deliver-to party name (BT-70) may occur at most once.',
    context: 'cac:Delivery',
    test: (n) => countAll(n, 'cac:DeliveryParty', 'cac:PartyName', 'cbc:Name') <= 1,
  },
  {
    id: 'UBL-SR-30',
    flag: 'fatal',
    message: 'An allowance reason (BT-97, BT-139) may occur at most once per allowance.',
    context: 'cac:AllowanceCharge',
    when: (n) => {
      const v = val(n, 'cbc:ChargeIndicator');
      return v === 'false' || v === '0';
    },
    test: (n) => children(n, 'cbc:AllowanceChargeReason').length <= 1,
  },
  {
    id: 'UBL-SR-31',
    flag: 'fatal',
    message: 'A charge reason (BT-104, BT-144) may occur at most once per charge.',
    context: 'cac:AllowanceCharge',
    when: (n) => {
      const v = val(n, 'cbc:ChargeIndicator');
      return v === 'true' || v === '1';
    },
    test: (n) => children(n, 'cbc:AllowanceChargeReason').length <= 1,
  },
  ...crRules(),
  ...DT_ATTRS.map(([id, a]): Rule => {
    const carrier = (c: Ctx) =>
      c.doc.elements.find((e) => e.attrs !== null && e.attrs[a] !== undefined);
    return {
      id,
      flag: 'warning',
      message: `The attribute "${a}" is not used in Peppol BIS Billing 3.0; the receiver will ignore it.`,
      context: '/',
      // One pass collects every attribute name; the element is looked for only when present.
      test: (_n, c) => !attributeNames(c.doc).has(a),
      locate: (_n, c) => carrier(c),
    };
  }),
  (() => {
    const carrier = (c: Ctx) =>
      c.doc.elements.find(
        (e) => e.attrs !== null && e.attrs['name'] !== undefined && e.q !== 'cbc:PaymentMeansCode',
      );
    return {
      id: 'UBL-DT-18',
      flag: 'warning',
      message:
        'The attribute "name" is only used on the payment means code (BT-81) in Peppol BIS Billing 3.0; elsewhere the receiver will ignore it.',
      context: '/',
      test: (_n: XNode, c: Ctx) => carrier(c) === undefined,
      locate: (_n: XNode, c: Ctx) => carrier(c),
    } satisfies Rule;
  })(),
  atMostOnce('UBL-SR-01', 'Contract reference (BT-12) may occur at most once.', [
    'cac:ContractDocumentReference',
    'cbc:ID',
  ]),
  atMostOnce('UBL-SR-02', 'Receiving advice reference (BT-15) may occur at most once.', [
    'cac:ReceiptDocumentReference',
    'cbc:ID',
  ]),
  atMostOnce('UBL-SR-03', 'Despatch advice reference (BT-16) may occur at most once.', [
    'cac:DespatchDocumentReference',
    'cbc:ID',
  ]),
  rootSR(
    'UBL-SR-04',
    'Invoiced object identifier (BT-18) may occur at most once.',
    (n) =>
      children(n, 'cac:AdditionalDocumentReference')
        .filter((r) => children(r, 'cbc:DocumentTypeCode').some((x) => str(x) === '130'))
        .reduce((k, r) => k + children(r, 'cbc:ID').length, 0) <= 1,
  ),
  atMostOnce('UBL-SR-05', 'Payment terms (BT-20) may occur at most once.', [
    'cac:PaymentTerms',
    'cbc:Note',
  ]),
  {
    // Official context cac:BillingReference: count(cac:InvoiceDocumentReference) <= 1.
    id: 'UBL-SR-06',
    flag: 'fatal',
    message: 'Preceding invoice reference (BT-25) may occur at most once per reference (BG-3).',
    context: 'cac:BillingReference',
    test: (n) => children(n, 'cac:InvoiceDocumentReference').length <= 1,
    locate: (n) => children(n, 'cac:InvoiceDocumentReference')[1],
  },
  {
    // Official: every address (postal address of a party, deliver-to address) has at most one
    // cac:AddressLine (the address line 3, BT-162/163/164/165/166).
    id: 'UBL-SR-51',
    flag: 'fatal',
    message:
      'An address may have only one address line 3 (cac:AddressLine, BT-162, BT-163, BT-164, BT-165, BT-166).',
    context: ['cac:PostalAddress', 'cac:Address'],
    test: (n) => children(n, 'cac:AddressLine').length <= 1,
    locate: (n) => children(n, 'cac:AddressLine')[1],
  },
  atMostOnce('UBL-SR-08', 'Invoicing period (BG-14) may occur at most once.', [
    'cac:InvoicePeriod',
  ]),
  rootSR(
    'UBL-SR-09',
    'Seller name (BT-27) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:RegistrationName',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-10',
    'Seller trading name (BT-28) may occur at most once.',
    (n) =>
      countAll(n, 'cac:AccountingSupplierParty', 'cac:Party', 'cac:PartyName', 'cbc:Name') <= 1,
  ),
  rootSR(
    'UBL-SR-11',
    'Seller legal registration identifier (BT-30) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyID',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-12',
    'Seller VAT identifier (BT-31) may occur at most once.',
    (n) =>
      all(n, 'cac:AccountingSupplierParty', 'cac:Party').reduce(
        (k, p) => k + vatCompanyIds(p, true),
        0,
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-13',
    'Seller tax registration identifier (BT-32) may occur at most once.',
    (n) =>
      all(n, 'cac:AccountingSupplierParty', 'cac:Party').reduce(
        (k, p) => k + vatCompanyIds(p, false),
        0,
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-14',
    'Seller additional legal information (BT-33) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingSupplierParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyLegalForm',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-15',
    'Buyer name (BT-44) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingCustomerParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:RegistrationName',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-16',
    'Buyer identifier (BT-46) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingCustomerParty',
        'cac:Party',
        'cac:PartyIdentification',
        'cbc:ID',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-17',
    'Buyer legal registration identifier (BT-47) may occur at most once.',
    (n) =>
      countAll(
        n,
        'cac:AccountingCustomerParty',
        'cac:Party',
        'cac:PartyLegalEntity',
        'cbc:CompanyID',
      ) <= 1,
  ),
  rootSR(
    'UBL-SR-18',
    'Buyer VAT identifier (BT-48) may occur at most once.',
    (n) =>
      all(n, 'cac:AccountingCustomerParty', 'cac:Party').reduce(
        (k, p) => k + vatCompanyIds(p, true),
        0,
      ) <= 1,
  ),
  atMostOnce('UBL-SR-24', 'Deliver-to information (BG-13) may occur at most once.', [
    'cac:Delivery',
  ]),
  rootSR(
    'UBL-SR-29',
    'Bank assigned creditor identifier (BT-90) may occur at most once.',
    (_n, c) =>
      c
        .nodes('cbc:ID')
        .filter(
          (i) =>
            i.parent?.q === 'cac:PartyIdentification' &&
            (attr(i, 'schemeID') ?? '').toUpperCase() === 'SEPA',
        ).length <= 1,
  ),
  atMostOnce('UBL-SR-39', 'Project reference (BT-11) may occur at most once.', [
    'cac:ProjectReference',
    'cbc:ID',
  ]),
  rootSR(
    'UBL-SR-40',
    'Buyer trading name (BT-45) may occur at most once.',
    (n) =>
      countAll(n, 'cac:AccountingCustomerParty', 'cac:Party', 'cac:PartyName', 'cbc:Name') <= 1,
  ),
  rootSR(
    'UBL-SR-44',
    'Payment identifier (BT-83) may occur at most once (all payment means must carry the same one).',
    (_n, c) => distinctValues(c.nodes('cbc:PaymentID')) <= 1,
  ),
  atMostOnce('UBL-SR-45', 'Payment due date (BT-9) may occur at most once.', [
    'cac:PaymentMeans',
    'cbc:PaymentDueDate',
  ]),
  rootSR(
    'UBL-SR-46',
    'Payment means text (BT-82) may occur at most once.',
    (n) =>
      all(n, 'cac:PaymentMeans', 'cbc:PaymentMeansCode').filter(
        (x) => attr(x, 'name') !== undefined,
      ).length <= 1,
  ),
  rootSR(
    'UBL-SR-47',
    'When there is more than one payment means code (BT-81), they must be the same.',
    (_n, c) => distinctValues(c.nodes('cbc:PaymentMeansCode')) <= 1,
  ),
  atMostOnce('UBL-SR-49', 'Value added tax point date code (BT-8) may occur at most once.', [
    'cac:InvoicePeriod',
    'cbc:DescriptionCode',
  ]),
  ...(
    [
      [
        'UBL-SR-34',
        'Invoice line note (BT-127) may occur at most once.',
        (n: XNode) => children(n, 'cbc:Note').length <= 1,
      ],
      [
        'UBL-SR-35',
        'Referenced purchase order line (BT-132) may occur at most once.',
        (n: XNode) => countAll(n, 'cac:OrderLineReference', 'cbc:LineID') <= 1,
      ],
      [
        'UBL-SR-36',
        'Invoice line period (BG-26) may occur at most once.',
        (n: XNode) => children(n, 'cac:InvoicePeriod').length <= 1,
      ],
      [
        'UBL-SR-37',
        'Item price discount (BT-147) may occur at most once.',
        (n: XNode) => countAll(n, 'cac:Price', 'cac:AllowanceCharge', 'cbc:Amount') <= 1,
      ],
      [
        'UBL-SR-38',
        'VAT exemption reason text (BT-120) may occur at most once per VAT breakdown.',
        (n: XNode) =>
          countAll(n, 'cac:Item', 'cac:ClassifiedTaxCategory', 'cbc:TaxExemptionReason') <= 1,
      ],
      [
        'UBL-SR-48',
        'Each invoice line (BG-25) must have exactly one line VAT information (BG-30).',
        (n: XNode) => countAll(n, 'cac:Item', 'cac:ClassifiedTaxCategory') === 1,
      ],
      [
        'UBL-SR-50',
        'Item description (BT-154) may occur at most once.',
        (n: XNode) => countAll(n, 'cac:Item', 'cbc:Description') <= 1,
      ],
      [
        'UBL-SR-52',
        'An invoice line may reference at most one document (invoiced object, BT-128).',
        (n: XNode) => children(n, 'cac:DocumentReference').length <= 1,
      ],
    ] as const
  ).map(([id, message, test]): Rule => ({ id, flag: 'fatal', message, context: LINE, test })),
  {
    id: 'UBL-SR-19',
    flag: 'fatal',
    message:
      'Payee name (BT-59) may occur at most once, and only when the payee differs from the seller.',
    context: 'cac:PayeeParty',
    test: (n) => countAll(n, 'cac:PartyName', 'cbc:Name') <= 1 && payeeDiffers(n),
  },
  {
    id: 'UBL-SR-20',
    flag: 'fatal',
    message:
      'Payee identifier (BT-60) may occur at most once, and only when the payee differs from the seller.',
    context: 'cac:PayeeParty',
    test: (n) =>
      all(n, 'cac:PartyIdentification', 'cbc:ID').filter(
        (i) => (attr(i, 'schemeID') ?? '').toUpperCase() !== 'SEPA',
      ).length <= 1 && payeeDiffers(n),
  },
  {
    id: 'UBL-SR-21',
    flag: 'fatal',
    message:
      'Payee legal registration identifier (BT-61) may occur at most once, and only when the payee differs from the seller.',
    context: 'cac:PayeeParty',
    test: (n) => countAll(n, 'cac:PartyLegalEntity', 'cbc:CompanyID') <= 1 && payeeDiffers(n),
  },
  {
    id: 'UBL-SR-26',
    flag: 'fatal',
    message: 'Payment reference (BT-83) may occur at most once per payment means.',
    context: 'cac:PaymentMeans',
    test: (n) => children(n, 'cbc:PaymentID').length <= 1,
  },
  {
    id: 'UBL-SR-27',
    flag: 'fatal',
    message: 'Payment means text (BT-82) may occur at most once.',
    context: 'cac:PaymentMeans',
    test: (n) => children(n, 'cbc:InstructionNote').length <= 1,
  },
  {
    id: 'UBL-SR-28',
    flag: 'fatal',
    message: 'Mandate reference identifier (BT-89) may occur at most once.',
    context: 'cac:PaymentMeans',
    test: (n) => countAll(n, 'cac:PaymentMandate', 'cbc:ID') <= 1,
  },
  {
    id: 'UBL-SR-07',
    flag: 'fatal',
    message:
      'A preceding invoice reference (BG-3) must contain the preceding invoice number (BT-25).',
    context: 'cac:BillingReference',
    test: (n) => has(n, 'cac:InvoiceDocumentReference', 'cbc:ID'),
  },
  {
    id: 'UBL-SR-22',
    flag: 'fatal',
    message: 'Seller tax representative name (BT-62) may occur at most once.',
    context: 'cac:TaxRepresentativeParty',
    test: (n) => countAll(n, 'cac:Party', 'cac:PartyName', 'cbc:Name') <= 1,
  },
  {
    id: 'UBL-SR-23',
    flag: 'fatal',
    message: 'Seller tax representative VAT identifier (BT-63) may occur at most once.',
    context: 'cac:TaxRepresentativeParty',
    test: (n) => countAll(n, 'cac:Party', 'cac:PartyTaxScheme', 'cbc:CompanyID') <= 1,
  },
  {
    id: 'UBL-SR-32',
    flag: 'fatal',
    message: 'VAT exemption reason text (BT-120) may occur at most once per VAT breakdown.',
    context: 'cac:TaxSubtotal',
    test: (n) => countAll(n, 'cac:TaxCategory', 'cbc:TaxExemptionReason') <= 1,
  },
];
