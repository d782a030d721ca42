/**
 * Codes of an invoice in words, for the document view. Small tables of the common codes; any
 * other code is shown as it is (the code is always kept on hover).
 */

/** UN/ECE Recommendation 20 unit codes most used on invoices: singular and plural words. */
const UNITS: Record<string, [string, string]> = {
  C62: ['unit', 'units'],
  H87: ['piece', 'pieces'],
  EA: ['each', 'each'],
  XPP: ['piece', 'pieces'],
  SET: ['set', 'sets'],
  PR: ['pair', 'pairs'],
  XBX: ['box', 'boxes'],
  XPK: ['package', 'packages'],
  XPA: ['packet', 'packets'],
  XCT: ['carton', 'cartons'],
  XPX: ['pallet', 'pallets'],
  LS: ['lump sum', 'lump sums'],
  SEC: ['second', 'seconds'],
  MIN: ['minute', 'minutes'],
  HUR: ['hour', 'hours'],
  DAY: ['day', 'days'],
  WEE: ['week', 'weeks'],
  MON: ['month', 'months'],
  QAN: ['quarter', 'quarters'],
  ANN: ['year', 'years'],
  GRM: ['gram', 'grams'],
  KGM: ['kilogram', 'kilograms'],
  TNE: ['tonne', 'tonnes'],
  MLT: ['millilitre', 'millilitres'],
  LTR: ['litre', 'litres'],
  MTQ: ['cubic metre', 'cubic metres'],
  MMT: ['millimetre', 'millimetres'],
  CMT: ['centimetre', 'centimetres'],
  MTR: ['metre', 'metres'],
  KMT: ['kilometre', 'kilometres'],
  MTK: ['square metre', 'square metres'],
  KWH: ['kilowatt hour', 'kilowatt hours'],
  MWH: ['megawatt hour', 'megawatt hours'],
  E48: ['service unit', 'service units'],
  ZZ: ['mutually defined unit', 'mutually defined units'],
};

/** "hours" for HUR with a quantity other than 1; unknown codes as the code. */
export function unitWords(code: string | null, quantity: string | null): string {
  if (!code) return '';
  const words = UNITS[code];
  if (!words) return code;
  return Number(quantity) === 1 ? words[0] : words[1];
}

/** True when the unit code has words (else the screen shows the code itself). */
export function isKnownUnit(code: string): boolean {
  return Object.hasOwn(UNITS, code);
}

/** VAT category codes (UNCL5305 as used by EN 16931). */
const VAT_CATEGORIES: Record<string, string> = {
  S: 'Standard rate',
  Z: 'Zero rated',
  E: 'Exempt from VAT',
  AE: 'Reverse charge',
  K: 'Intra-community supply',
  G: 'Export outside the EU',
  O: 'Not subject to VAT',
  L: 'Canary Islands tax',
  M: 'Ceuta and Melilla tax',
};

export function vatCategoryWords(code: string | null): string {
  if (!code) return '—';
  return VAT_CATEGORIES[code] ?? code;
}

/** Payment means codes (UNCL4461), the common ones. */
const PAYMENT_MEANS: Record<string, string> = {
  '1': 'Not defined',
  '10': 'Cash',
  '20': 'Cheque',
  '30': 'Credit transfer',
  '31': 'Debit transfer',
  '42': 'Payment to bank account',
  '48': 'Bank card',
  '49': 'Direct debit',
  '54': 'Credit card',
  '55': 'Debit card',
  '57': 'Standing agreement',
  '58': 'SEPA credit transfer',
  '59': 'SEPA direct debit',
  '97': 'Clearing between partners',
  ZZZ: 'Mutually defined',
};

export function paymentMeansWords(code: string | null, text: string | null): string {
  if (code && PAYMENT_MEANS[code]) return PAYMENT_MEANS[code];
  return text ?? code ?? '—';
}

/** Invoice and credit note type codes (UNCL1001), the common ones. */
const TYPE_CODES: Record<string, string> = {
  '380': 'Commercial invoice',
  '381': 'Credit note',
  '383': 'Debit note',
  '384': 'Corrected invoice',
  '386': 'Prepayment invoice',
  '389': 'Self-billed invoice',
  '326': 'Partial invoice',
  '751': 'Invoice information for accounting purposes',
};

export function typeCodeWords(code: string | null): string {
  if (!code) return '—';
  return TYPE_CODES[code] ? `${TYPE_CODES[code]} (${code})` : code;
}

/** A byte count for people: "812 bytes", "14.2 KB", "3.1 MB". */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
