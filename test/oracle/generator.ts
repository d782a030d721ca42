/**
 * Generator of varied, realistic Peppol BIS Billing 3.0 documents (Invoice and CreditNote) for
 * differential testing against the official rules (see test/oracle/README.md). Deterministic per
 * seed. Amounts are computed with exact decimal arithmetic (BigInt, 6 fraction digits) so that an
 * unmutated document is correct by construction; `mutate` then breaks one thing on purpose.
 * Dev tool only: not part of `npm test`.
 */

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: R, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const chance = (r: R, p: number): boolean => r() < p;

// ---- exact decimals: bigint scaled by 10^6 ----
const S = 1_000_000n;
type D = bigint;
function dec(s: string): D {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i || '0') * S + BigInt((f + '000000').slice(0, 6));
  return neg ? -v : v;
}
/** Round half away from zero to `digits` decimals (XPath round() is half-up toward +inf; the
 * generator only needs *a* correct 2-decimal figure, the rules accept either at exact halves
 * except for the sum rules, which use the rounded figures we write). */
function roundTo(v: D, digits: number): D {
  const unit = 10n ** BigInt(6 - digits);
  const half = unit / 2n;
  const q = v >= 0n ? (v + half) / unit : -((-v + half) / unit);
  return q * unit;
}
function fmt(v: D, digits: number): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const i = a / S;
  const f = (a % S).toString().padStart(6, '0').slice(0, digits);
  return (neg ? '-' : '') + i.toString() + (digits > 0 ? '.' + f : '');
}
const mul = (a: D, b: D): D => (a * b) / S;
const divD = (a: D, b: D): D => (a * S) / b;

// ---- identifiers with valid check digits ----
function mod97be(r: R): string {
  const base = int(r, 2000000, 9999999) * 10 + int(r, 0, 9);
  const body = String(base).padStart(8, '0');
  const check = 97 - (Number(body) % 97);
  return body + String(check).padStart(2, '0');
}
function mod11no(r: R): string {
  for (;;) {
    const d = Array.from({ length: 8 }, () => int(r, 0, 9));
    d[0] = int(r, 8, 9);
    const w = [3, 2, 7, 6, 5, 4, 3, 2];
    const s = d.reduce((acc, x, i) => acc + x * w[i]!, 0);
    const c = (11 - (s % 11)) % 11;
    if (c === 10) continue;
    return d.join('') + c;
  }
}
function luhnSe(r: R): string {
  const d = Array.from({ length: 9 }, () => int(r, 0, 9));
  d[0] = 5;
  d[2] = int(r, 2, 9);
  let sum = 0;
  for (let pos = 1; pos <= 9; pos++) {
    const x = d[9 - pos]!;
    sum += pos % 2 === 1 ? ((x * 2) % 10) + Math.floor((x * 2) / 10) : x;
  }
  return d.join('') + ((10 - (sum % 10)) % 10);
}
function gln(r: R): string {
  const d = Array.from({ length: 12 }, () => int(r, 0, 9));
  d[0] = int(r, 1, 9);
  let s = 0;
  for (let i = 0; i < 12; i++) s += d[11 - i]! * (i % 2 === 0 ? 3 : 1);
  return d.join('') + ((10 - (s % 10)) % 10);
}
function greekTin(r: R): string {
  for (;;) {
    const d = Array.from({ length: 8 }, () => int(r, 0, 9));
    d[0] = int(r, 0, 1) === 0 ? 0 : int(r, 1, 9);
    let s = 0;
    for (let i = 0; i < 8; i++) s += d[i]! * 2 ** (8 - i);
    return d.join('') + ((s % 11) % 10);
  }
}
function ibanFor(country: string, r: R): string {
  const bban = Array.from({ length: 14 }, () => int(r, 0, 9)).join('');
  const numeric = (bban + country + '00')
    .split('')
    .map((c) => (c >= 'A' ? String(c.charCodeAt(0) - 55) : c))
    .join('');
  const check = 98n - (BigInt(numeric) % 97n);
  return country + String(check).padStart(2, '0') + bban;
}

/** A party of a given country, with identifiers that pass the national checks. */
interface Party {
  country: string;
  endpoint: { scheme: string; value: string };
  vat?: string;
  taxReg?: string;
  legal?: { value: string; scheme?: string };
  name: string;
  street?: string;
  city?: string;
  zip?: string;
  contact?: { name: string; phone: string; email: string };
}

const COUNTRIES = ['BE', 'DE', 'NO', 'DK', 'IT', 'SE', 'NL', 'GR', 'IS', 'FR', 'AT'] as const;
type Country = (typeof COUNTRIES)[number];
const STANDARD_RATES: Record<Country, string[]> = {
  BE: ['21', '12', '6'],
  DE: ['19', '7'],
  NO: ['25', '15', '12'],
  DK: ['25'],
  IT: ['22', '10', '4'],
  SE: ['25', '12', '6'],
  NL: ['21', '9'],
  GR: ['24', '13', '6'],
  IS: ['24', '11'],
  FR: ['20', '10', '5.5'],
  AT: ['20', '10', '13'],
};

function makeParty(r: R, country: Country, role: 'seller' | 'buyer', greekPair: boolean): Party {
  const name = `${pick(r, ['Acme', 'Nordlys', 'Borealis', 'Quercus', 'Fjord', 'Delta'])} ${pick(r, ['AS', 'BV', 'GmbH', 'SpA', 'AB', 'ApS', 'SA', 'ehf'])} ${role}`;
  const p: Party = { country, endpoint: { scheme: '0088', value: gln(r) }, name };
  p.street = `${pick(r, ['Main', 'Harbour', 'Kirke', 'Linden'])} ${int(r, 1, 200)}`;
  p.city = pick(r, [
    'Gent',
    'Oslo',
    'Berlin',
    'Milano',
    'Lund',
    'Delft',
    'Athens',
    'Reykjavik',
    'Lyon',
  ]);
  p.zip = String(int(r, 1000, 99999));
  switch (country) {
    case 'BE': {
      const n = mod97be(r);
      p.endpoint = { scheme: '0208', value: n };
      p.vat = 'BE' + n;
      p.legal = { value: n, scheme: '0208' };
      break;
    }
    case 'NO': {
      const n = mod11no(r);
      p.endpoint = { scheme: '0192', value: n };
      p.vat = `NO${n}MVA`;
      p.legal = { value: n, scheme: '0192' };
      if (role === 'seller') p.taxReg = 'Foretaksregisteret';
      break;
    }
    case 'DK': {
      const n = String(int(r, 10000000, 99999999));
      p.endpoint = { scheme: '0184', value: 'DK' + n };
      p.vat = 'DK' + n;
      p.legal = { value: 'DK' + n, scheme: '0184' };
      break;
    }
    case 'SE': {
      const n = luhnSe(r);
      p.endpoint = { scheme: '0007', value: n };
      p.vat = `SE${n}01`;
      p.legal = { value: n, scheme: '0007' };
      break;
    }
    case 'IT': {
      const n = String(int(r, 10000000000, 99999999999));
      p.endpoint = { scheme: '0211', value: 'IT' + n };
      p.vat = 'IT' + n;
      p.legal = { value: n };
      break;
    }
    case 'NL': {
      const n = String(int(r, 10000000, 99999999));
      p.endpoint = { scheme: '0106', value: n };
      p.vat = `NL${int(r, 100000000, 999999999)}B01`;
      p.legal = { value: n, scheme: '0106' };
      break;
    }
    case 'GR': {
      const tin = greekTin(r);
      p.endpoint = { scheme: '9933', value: tin };
      p.vat = 'EL' + tin;
      p.legal = { value: tin };
      break;
    }
    case 'IS': {
      const n = String(int(r, 1000000000, 9999999999));
      p.endpoint = { scheme: '0196', value: n };
      p.vat = 'IS' + String(int(r, 10000, 99999));
      p.legal = { value: n, scheme: '0196' };
      break;
    }
    case 'DE': {
      p.endpoint = chance(r, 0.5)
        ? { scheme: '9930', value: 'DE' + String(int(r, 100000000, 999999999)) }
        : { scheme: 'EM', value: `invoice${int(r, 1, 999)}@example.de` };
      p.vat = 'DE' + String(int(r, 100000000, 999999999));
      p.legal = { value: 'HRB ' + int(r, 1000, 99999) };
      p.contact = {
        name: 'Erika Muster',
        phone: '+49 30 1234567',
        email: 'buchhaltung@example.de',
      };
      break;
    }
    default: {
      p.endpoint = chance(r, 0.5)
        ? { scheme: '0088', value: gln(r) }
        : { scheme: '9957', value: 'FR' + int(r, 10, 99) + int(r, 100000000, 999999999) };
      p.vat = country + String(int(r, 10000000000, 99999999999));
      p.legal = { value: String(int(r, 100000000, 999999999)) };
    }
  }
  if (greekPair && country === 'GR') p.name = 'Ελληνική Εταιρεία ' + role;
  return p;
}

/** VAT categories and what they need. */
type Cat = 'S' | 'Z' | 'E' | 'AE' | 'K' | 'G' | 'O' | 'L' | 'M';
const EXEMPT_REASON: Partial<Record<Cat, [string, string]>> = {
  E: ['VATEX-EU-132-1I', 'Exempt'],
  AE: ['VATEX-EU-AE', 'Reverse charge'],
  K: ['VATEX-EU-IC', 'Intra-community supply'],
  G: ['VATEX-EU-G', 'Export outside the EU'],
  O: ['VATEX-EU-O', 'Not subject to VAT'],
};
function rateFor(r: R, cat: Cat, country: Country): string | null {
  if (cat === 'S') return pick(r, STANDARD_RATES[country]);
  if (cat === 'L') return pick(r, ['7', '3', '0', '9.5']);
  if (cat === 'M') return pick(r, ['4', '10', '0']);
  if (cat === 'O') return null;
  return '0';
}

interface Line {
  id: string;
  qty: D;
  qtyText: string;
  unit: string;
  price: D;
  priceText: string;
  baseQty?: string;
  net: D;
  cat: Cat;
  rate: string | null;
  allowances: { amount: D; reason: string }[];
  charges: { amount: D; reason: string }[];
  gross?: { base: D; discount: D };
  period?: [string, string];
  note?: string;
  description?: string;
  classification?: boolean;
  standardId?: boolean;
}

interface DocAc {
  charge: boolean;
  amount: D;
  base?: D;
  percent?: string;
  cat: Cat;
  rate: string | null;
  reasonCode?: string;
  reason?: string;
}

/** A generated document with a short label of what it exercises. */
export interface GeneratedDoc {
  name: string;
  xml: string;
  tags: string[];
}

function decText(r: R, maxInt: number, decimals: number): string {
  const i = int(r, 0, maxInt);
  if (decimals === 0) return String(i);
  const f = String(int(r, 0, 10 ** decimals - 1)).padStart(decimals, '0');
  return `${i}.${f}`;
}

/** Amount text near "interesting" boundaries: half-cents, .x95, large values. */
function priceText(r: R): string {
  const kind = r();
  if (kind < 0.1)
    return pick(r, ['0.005', '0.015', '0.125', '1.005', '2.675', '0.995', '999999.995']).replace(
      /5$/,
      chance(r, 0.5) ? '5' : '',
    );
  if (kind < 0.2) return decText(r, 50_000_000, 2);
  if (kind < 0.3) return decText(r, 5, 4);
  if (kind < 0.4) return decText(r, 1000, 0);
  if (kind < 0.45) return '0';
  return decText(r, 5000, int(r, 0, 2));
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Generate document number `i` of seed `seed` (at most `maxLines` lines). */
export function generate(seed: number, i: number, maxLines = 5000): GeneratedDoc {
  const r = rng(seed * 1_000_003 + i);
  const tags: string[] = [];
  const credit = chance(r, 0.15);
  if (credit) tags.push('creditnote');
  const root = credit ? 'CreditNote' : 'Invoice';
  const lineEl = credit ? 'CreditNoteLine' : 'InvoiceLine';
  const qtyEl = credit ? 'CreditedQuantity' : 'InvoicedQuantity';

  const sellerCountry: Country = pick(r, COUNTRIES);
  const domestic = chance(r, 0.7);
  const buyerCountry: Country = domestic ? sellerCountry : pick(r, COUNTRIES);
  tags.push(`seller-${sellerCountry}`, `buyer-${buyerCountry}`);
  const seller = makeParty(
    r,
    sellerCountry,
    'seller',
    sellerCountry === 'GR' && buyerCountry === 'GR',
  );
  const buyer = makeParty(
    r,
    buyerCountry,
    'buyer',
    sellerCountry === 'GR' && buyerCountry === 'GR',
  );
  const currency = chance(r, 0.85)
    ? pick(r, ['EUR', 'EUR', 'NOK', 'SEK', 'DKK', 'ISK'])
    : pick(r, ['USD', 'GBP', 'CHF']);
  const taxCurrency = chance(r, 0.08) && currency !== 'EUR' ? 'EUR' : null;

  // Category mix: usually S only; sometimes mixes; O stands alone.
  let cats: Cat[];
  const mixKind = r();
  if (mixKind < 0.55) cats = ['S'];
  else if (mixKind < 0.62) cats = ['O'];
  else if (mixKind < 0.72) cats = [pick(r, ['Z', 'E', 'AE', 'K', 'G', 'L', 'M'] as const)];
  else cats = ['S', pick(r, ['Z', 'E', 'AE', 'K', 'G', 'L', 'M', 'S'] as const)];
  tags.push('cats-' + [...new Set(cats)].join(''));
  const catRates = new Map<Cat, string[]>();
  for (const c of cats) {
    const rates = catRates.get(c) ?? [];
    const rate = rateFor(r, c, sellerCountry);
    if (rate !== null && !rates.includes(rate)) rates.push(rate);
    catRates.set(c, rates);
  }
  if (cats.includes('O')) {
    delete seller.vat;
    delete buyer.vat;
  }

  // Lines.
  const sizeKind = r();
  const nLines0 =
    sizeKind < 0.6
      ? int(r, 1, 5)
      : sizeKind < 0.9
        ? int(r, 6, 60)
        : sizeKind < 0.98
          ? int(r, 61, 600)
          : int(r, 601, 5000);
  const nLines = Math.min(nLines0, maxLines);
  if (nLines > 600) tags.push('huge');
  const lines: Line[] = [];
  for (let n = 1; n <= nLines; n++) {
    const cat = pick(r, cats);
    const rates = catRates.get(cat) ?? [];
    const rate = cat === 'O' ? null : rates.length ? pick(r, rates) : '0';
    const qtyText = chance(r, 0.7) ? String(int(r, 1, 50)) : decText(r, 200, int(r, 1, 3));
    const qty = dec(qtyText) === 0n ? dec('1') : dec(qtyText);
    const pText = priceText(r);
    const price = dec(pText);
    const baseQty = chance(r, 0.1) ? pick(r, ['1', '10', '100', '12']) : undefined;
    const allowances = chance(r, 0.1)
      ? [{ amount: dec(decText(r, 20, 2)), reason: 'Discount' }]
      : [];
    const charges = chance(r, 0.07) ? [{ amount: dec(decText(r, 20, 2)), reason: 'Packing' }] : [];
    const net0 = divD(mul(qty, price), dec(baseQty ?? '1'));
    const net =
      roundTo(net0, 2) +
      charges.reduce((a, c) => a + c.amount, 0n) -
      allowances.reduce((a, c) => a + c.amount, 0n);
    const line: Line = {
      id: String(n),
      qty,
      qtyText: qty === dec(qtyText) ? qtyText : '1',
      unit: pick(r, ['EA', 'HUR', 'C62', 'KGM', 'LTR', 'MTR', 'DAY', 'XBX']),
      price,
      priceText: pText,
      baseQty,
      net,
      cat,
      rate,
      allowances,
      charges,
    };
    if (chance(r, 0.1)) line.gross = { base: price + dec('1.00'), discount: dec('1.00') };
    if (chance(r, 0.05)) line.note = 'Line note';
    if (chance(r, 0.2)) line.description = 'Description of item ' + n;
    if (chance(r, 0.05)) line.period = ['2025-03-01', '2025-03-31'];
    if (chance(r, 0.05)) line.classification = true;
    if (chance(r, 0.05)) line.standardId = true;
    lines.push(line);
  }

  // Document level allowances and charges.
  const docAcs: DocAc[] = [];
  const nAc = chance(r, 0.25) ? int(r, 1, 3) : 0;
  for (let k = 0; k < nAc; k++) {
    const charge = chance(r, 0.5);
    const cat = pick(r, cats);
    const rates = catRates.get(cat) ?? [];
    const rate = cat === 'O' ? null : rates.length ? pick(r, rates) : '0';
    const withPercent = chance(r, 0.4);
    let amount: D;
    let base: D | undefined;
    let percent: string | undefined;
    if (withPercent) {
      base = dec(decText(r, 5000, 2));
      percent = pick(r, ['2', '5', '10', '2.5', '12.5']);
      amount = roundTo(divD(mul(base, dec(percent)), dec('100')), 2);
    } else amount = dec(decText(r, 500, 2));
    const ac: DocAc = { charge, amount, base, percent, cat, rate };
    if (chance(r, 0.5))
      ac.reasonCode = charge ? pick(r, ['FC', 'ABL', 'ADR']) : pick(r, ['95', '100', '41']);
    if (!ac.reasonCode || chance(r, 0.5)) ac.reason = charge ? 'Freight' : 'Volume discount';
    docAcs.push(ac);
  }
  if (docAcs.length) tags.push('doc-allowance-charge');

  // VAT breakdown per (category, rate).
  const groups = new Map<string, { cat: Cat; rate: string | null; taxable: D }>();
  const key = (c: Cat, rt: string | null) => `${c}|${rt ?? ''}`;
  const addTo = (c: Cat, rt: string | null, v: D) => {
    const g = groups.get(key(c, rt)) ?? { cat: c, rate: rt, taxable: 0n };
    g.taxable += v;
    groups.set(key(c, rt), g);
  };
  for (const l of lines) addTo(l.cat, l.rate, l.net);
  for (const a of docAcs) addTo(a.cat, a.rate, a.charge ? a.amount : -a.amount);
  const subtotals = [...groups.values()].map((g) => ({
    ...g,
    tax: g.rate === null ? 0n : roundTo(divD(mul(g.taxable, dec(g.rate)), dec('100')), 2),
  }));
  const lineTotal = lines.reduce((a, l) => a + l.net, 0n);
  const allowTotal = docAcs.filter((a) => !a.charge).reduce((a, x) => a + x.amount, 0n);
  const chargeTotal = docAcs.filter((a) => a.charge).reduce((a, x) => a + x.amount, 0n);
  const taxExcl = lineTotal - allowTotal + chargeTotal;
  const taxTotal = subtotals.reduce((a, s) => a + s.tax, 0n);
  const taxIncl = taxExcl + taxTotal;
  const prepaid = chance(r, 0.1) ? roundTo(taxIncl / 2n, 2) : null;
  const rounding = chance(r, 0.08) ? pick(r, [dec('0.01'), dec('-0.02'), dec('0.05')]) : null;
  const payable = taxIncl - (prepaid ?? 0n) + (rounding ?? 0n);

  // Optional header parts.
  const issue = `2025-0${int(r, 1, 9)}-${String(int(r, 10, 28))}`;
  const useBuyerRef = chance(r, 0.8);
  const useOrderRef = !useBuyerRef || chance(r, 0.3);
  const note = chance(r, 0.4)
    ? chance(r, 0.2)
      ? '#AAI#Subject coded note'
      : 'Thank you for your business'
    : null;
  const period = chance(r, 0.3);
  const delivery = chance(r, 0.5) || cats.includes('K');
  const attachments = chance(r, 0.15) ? int(r, 1, 2) : 0;
  const paymentKind = pick(r, ['30', '58', '31', '49', '59', '48', '1', '97', 'none'] as const);
  const dueDate = chance(r, 0.7);
  const terms = !dueDate || chance(r, 0.3);

  const A = (v: D) => `currencyID="${currency}">${fmt(v, 2)}`;
  const o: string[] = [];
  const ns = credit
    ? 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'
    : 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2';
  o.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  o.push(
    `<${root} xmlns="${ns}" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">`,
  );
  o.push(
    `<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>`,
  );
  o.push(`<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>`);
  const docId =
    sellerCountry === 'GR'
      ? `${seller.vat?.slice(2) ?? '000000000'}|${issue.slice(8, 10)}/${issue.slice(5, 7)}/${issue.slice(0, 4)}|0|1.1|${int(r, 1, 999)}|${int(r, 1, 999)}`
      : `${credit ? 'CN' : 'INV'}-${seed}-${i}`;
  o.push(`<cbc:ID>${esc(docId)}</cbc:ID>`);
  o.push(`<cbc:IssueDate>${issue}</cbc:IssueDate>`);
  if (!credit && dueDate) o.push(`<cbc:DueDate>2025-12-31</cbc:DueDate>`);
  o.push(
    credit
      ? `<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>`
      : `<cbc:InvoiceTypeCode>${chance(r, 0.9) ? '380' : pick(r, ['383', '386', '393'])}</cbc:InvoiceTypeCode>`,
  );
  if (note !== null) o.push(`<cbc:Note>${esc(note)}</cbc:Note>`);
  o.push(`<cbc:DocumentCurrencyCode>${currency}</cbc:DocumentCurrencyCode>`);
  if (taxCurrency) o.push(`<cbc:TaxCurrencyCode>${taxCurrency}</cbc:TaxCurrencyCode>`);
  if (useBuyerRef)
    o.push(`<cbc:BuyerReference>${esc('REF-' + int(r, 1, 99999))}</cbc:BuyerReference>`);
  if (period)
    o.push(
      `<cac:InvoicePeriod><cbc:StartDate>2025-01-01</cbc:StartDate><cbc:EndDate>2025-12-31</cbc:EndDate></cac:InvoicePeriod>`,
    );
  if (useOrderRef)
    o.push(`<cac:OrderReference><cbc:ID>PO-${int(r, 1, 9999)}</cbc:ID></cac:OrderReference>`);
  if (credit || chance(r, 0.05))
    o.push(
      `<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>INV-ORIG-${i}</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>`,
    );
  for (let k = 0; k < attachments; k++) {
    o.push(
      `<cac:AdditionalDocumentReference><cbc:ID>ATT-${k + 1}</cbc:ID><cbc:DocumentDescription>Timesheet</cbc:DocumentDescription><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="${pick(r, ['application/pdf', 'image/png', 'text/csv'])}" filename="att-${k + 1}.pdf">JVBERi0xLjQK</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`,
    );
  }
  if (attachments) tags.push('attachment');
  const party = (p: Party, role: 'seller' | 'buyer') => {
    const x: string[] = ['<cac:Party>'];
    x.push(
      `<cbc:EndpointID schemeID="${p.endpoint.scheme}">${esc(p.endpoint.value)}</cbc:EndpointID>`,
    );
    if (role === 'seller' && paymentKind === '59' && sellerCountry === 'DE')
      x.push(
        `<cac:PartyIdentification><cbc:ID schemeID="SEPA">DE98ZZZ09999999999</cbc:ID></cac:PartyIdentification>`,
      );
    x.push(`<cac:PartyName><cbc:Name>${esc(p.name)}</cbc:Name></cac:PartyName>`);
    x.push('<cac:PostalAddress>');
    if (p.street) x.push(`<cbc:StreetName>${esc(p.street)}</cbc:StreetName>`);
    if (p.city) x.push(`<cbc:CityName>${esc(p.city)}</cbc:CityName>`);
    if (p.zip) x.push(`<cbc:PostalZone>${p.zip}</cbc:PostalZone>`);
    x.push(
      `<cac:Country><cbc:IdentificationCode>${p.country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>`,
    );
    if (p.vat)
      x.push(
        `<cac:PartyTaxScheme><cbc:CompanyID>${p.vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`,
      );
    if (p.taxReg)
      x.push(
        `<cac:PartyTaxScheme><cbc:CompanyID>${p.taxReg}</cbc:CompanyID><cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>`,
      );
    x.push(`<cac:PartyLegalEntity><cbc:RegistrationName>${esc(p.name)}</cbc:RegistrationName>`);
    if (p.legal)
      x.push(
        `<cbc:CompanyID${p.legal.scheme ? ` schemeID="${p.legal.scheme}"` : ''}>${esc(p.legal.value)}</cbc:CompanyID>`,
      );
    x.push('</cac:PartyLegalEntity>');
    if (p.contact)
      x.push(
        `<cac:Contact><cbc:Name>${p.contact.name}</cbc:Name><cbc:Telephone>${p.contact.phone}</cbc:Telephone><cbc:ElectronicMail>${p.contact.email}</cbc:ElectronicMail></cac:Contact>`,
      );
    x.push('</cac:Party>');
    return x.join('');
  };
  o.push(`<cac:AccountingSupplierParty>${party(seller, 'seller')}</cac:AccountingSupplierParty>`);
  o.push(`<cac:AccountingCustomerParty>${party(buyer, 'buyer')}</cac:AccountingCustomerParty>`);
  if (delivery) {
    o.push(
      `<cac:Delivery><cbc:ActualDeliveryDate>2025-03-28</cbc:ActualDeliveryDate><cac:DeliveryLocation><cac:Address><cbc:StreetName>Dock 4</cbc:StreetName><cbc:CityName>${esc(buyer.city ?? 'X')}</cbc:CityName><cbc:PostalZone>${buyer.zip}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>${buyerCountry}</cbc:IdentificationCode></cac:Country></cac:Address></cac:DeliveryLocation></cac:Delivery>`,
    );
  }
  if (paymentKind !== 'none') {
    const pm: string[] = [
      '<cac:PaymentMeans>',
      `<cbc:PaymentMeansCode>${paymentKind}</cbc:PaymentMeansCode>`,
    ];
    if (credit && dueDate) pm.push('<cbc:PaymentDueDate>2025-12-31</cbc:PaymentDueDate>');
    pm.push(`<cbc:PaymentID>${int(r, 100000, 999999)}</cbc:PaymentID>`);
    if (paymentKind === '48')
      pm.push(
        `<cac:CardAccount><cbc:PrimaryAccountNumberID>1234</cbc:PrimaryAccountNumberID><cbc:NetworkID>VISA</cbc:NetworkID></cac:CardAccount>`,
      );
    if (['30', '58', '31', '1', '97'].includes(paymentKind))
      pm.push(
        `<cac:PayeeFinancialAccount><cbc:ID>${ibanFor(sellerCountry, r)}</cbc:ID>${chance(r, 0.3) ? '<cac:FinancialInstitutionBranch><cbc:ID>BANKBEBB</cbc:ID></cac:FinancialInstitutionBranch>' : ''}</cac:PayeeFinancialAccount>`,
      );
    if (paymentKind === '49' || paymentKind === '59')
      pm.push(
        `<cac:PaymentMandate><cbc:ID>MANDATE-${int(r, 1, 999)}</cbc:ID><cac:PayerFinancialAccount><cbc:ID>${ibanFor(buyerCountry, r)}</cbc:ID></cac:PayerFinancialAccount></cac:PaymentMandate>`,
      );
    pm.push('</cac:PaymentMeans>');
    o.push(pm.join(''));
  }
  if (terms) o.push(`<cac:PaymentTerms><cbc:Note>Net 30 days</cbc:Note></cac:PaymentTerms>`);
  const taxCat = (el: string, cat: Cat, rate: string | null, withReason: boolean) => {
    let s = `<cac:${el}><cbc:ID>${cat}</cbc:ID>`;
    if (rate !== null) s += `<cbc:Percent>${rate}</cbc:Percent>`;
    const reason = EXEMPT_REASON[cat];
    if (withReason && reason)
      s += `<cbc:TaxExemptionReasonCode>${reason[0]}</cbc:TaxExemptionReasonCode><cbc:TaxExemptionReason>${reason[1]}</cbc:TaxExemptionReason>`;
    return s + `<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:${el}>`;
  };
  for (const a of docAcs) {
    let s = `<cac:AllowanceCharge><cbc:ChargeIndicator>${a.charge}</cbc:ChargeIndicator>`;
    if (a.reasonCode)
      s += `<cbc:AllowanceChargeReasonCode>${a.reasonCode}</cbc:AllowanceChargeReasonCode>`;
    if (a.reason) s += `<cbc:AllowanceChargeReason>${a.reason}</cbc:AllowanceChargeReason>`;
    if (a.percent) s += `<cbc:MultiplierFactorNumeric>${a.percent}</cbc:MultiplierFactorNumeric>`;
    s += `<cbc:Amount ${A(a.amount)}</cbc:Amount>`;
    if (a.base !== undefined) s += `<cbc:BaseAmount ${A(a.base)}</cbc:BaseAmount>`;
    s += taxCat('TaxCategory', a.cat, a.rate, false) + '</cac:AllowanceCharge>';
    o.push(s);
  }
  o.push(`<cac:TaxTotal><cbc:TaxAmount ${A(taxTotal)}</cbc:TaxAmount>`);
  for (const s of subtotals) {
    o.push(
      `<cac:TaxSubtotal><cbc:TaxableAmount ${A(s.taxable)}</cbc:TaxableAmount><cbc:TaxAmount ${A(s.tax)}</cbc:TaxAmount>${taxCat('TaxCategory', s.cat, s.rate, true)}</cac:TaxSubtotal>`,
    );
  }
  o.push('</cac:TaxTotal>');
  if (taxCurrency)
    o.push(
      `<cac:TaxTotal><cbc:TaxAmount currencyID="${taxCurrency}">${fmt(mul(taxTotal, dec('0.1')), 2)}</cbc:TaxAmount></cac:TaxTotal>`,
    );
  let lmt = `<cac:LegalMonetaryTotal><cbc:LineExtensionAmount ${A(lineTotal)}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount ${A(taxExcl)}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount ${A(taxIncl)}</cbc:TaxInclusiveAmount>`;
  if (docAcs.some((a) => !a.charge))
    lmt += `<cbc:AllowanceTotalAmount ${A(allowTotal)}</cbc:AllowanceTotalAmount>`;
  if (docAcs.some((a) => a.charge))
    lmt += `<cbc:ChargeTotalAmount ${A(chargeTotal)}</cbc:ChargeTotalAmount>`;
  if (prepaid !== null) lmt += `<cbc:PrepaidAmount ${A(prepaid)}</cbc:PrepaidAmount>`;
  if (rounding !== null)
    lmt += `<cbc:PayableRoundingAmount ${A(rounding)}</cbc:PayableRoundingAmount>`;
  lmt += `<cbc:PayableAmount ${A(payable)}</cbc:PayableAmount></cac:LegalMonetaryTotal>`;
  o.push(lmt);
  for (const l of lines) {
    const x: string[] = [`<cac:${lineEl}>`, `<cbc:ID>${l.id}</cbc:ID>`];
    if (l.note) x.push(`<cbc:Note>${l.note}</cbc:Note>`);
    x.push(`<cbc:${qtyEl} unitCode="${l.unit}">${l.qtyText}</cbc:${qtyEl}>`);
    x.push(`<cbc:LineExtensionAmount ${A(l.net)}</cbc:LineExtensionAmount>`);
    if (l.period)
      x.push(
        `<cac:InvoicePeriod><cbc:StartDate>${l.period[0]}</cbc:StartDate><cbc:EndDate>${l.period[1]}</cbc:EndDate></cac:InvoicePeriod>`,
      );
    for (const c of l.charges)
      x.push(
        `<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReason>${c.reason}</cbc:AllowanceChargeReason><cbc:Amount ${A(c.amount)}</cbc:Amount></cac:AllowanceCharge>`,
      );
    for (const c of l.allowances)
      x.push(
        `<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:AllowanceChargeReason>${c.reason}</cbc:AllowanceChargeReason><cbc:Amount ${A(c.amount)}</cbc:Amount></cac:AllowanceCharge>`,
      );
    x.push('<cac:Item>');
    if (l.description) x.push(`<cbc:Description>${l.description}</cbc:Description>`);
    x.push(`<cbc:Name>Item ${l.id}</cbc:Name>`);
    x.push(
      `<cac:SellersItemIdentification><cbc:ID>SKU-${l.id}</cbc:ID></cac:SellersItemIdentification>`,
    );
    if (l.standardId)
      x.push(
        `<cac:StandardItemIdentification><cbc:ID schemeID="0160">0${gln(r)}</cbc:ID></cac:StandardItemIdentification>`,
      );
    if (l.classification)
      x.push(
        `<cac:CommodityClassification><cbc:ItemClassificationCode listID="STI">43211503</cbc:ItemClassificationCode></cac:CommodityClassification>`,
      );
    x.push(taxCat('ClassifiedTaxCategory', l.cat, l.rate, false));
    x.push('</cac:Item>');
    x.push(`<cac:Price><cbc:PriceAmount currencyID="${currency}">${l.priceText}</cbc:PriceAmount>`);
    if (l.baseQty) x.push(`<cbc:BaseQuantity unitCode="${l.unit}">${l.baseQty}</cbc:BaseQuantity>`);
    if (l.gross)
      x.push(
        `<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator><cbc:Amount currencyID="${currency}">${fmt(l.gross.discount, 2)}</cbc:Amount><cbc:BaseAmount currencyID="${currency}">${fmt(l.gross.base, Math.max(2, (l.priceText.split('.')[1] ?? '').length))}</cbc:BaseAmount></cac:AllowanceCharge>`,
      );
    x.push('</cac:Price>');
    x.push(`</cac:${lineEl}>`);
    o.push(x.join(''));
  }
  o.push(`</${root}>`);
  let xml = o.join('\n');
  if (chance(r, 0.3)) {
    const m = mutate(r, xml);
    xml = m.xml;
    tags.push('mutation:' + m.name);
  }
  return { name: `${seed}-${i}`, xml, tags };
}

/** Mutations that each break (or nearly break) one thing. */
const MUTATIONS: { name: string; apply: (r: R, xml: string) => string }[] = [
  {
    name: 'blank-buyer-reference',
    apply: (_r, x) => x.replace(/<cbc:BuyerReference>[^<]*</, '<cbc:BuyerReference>  <'),
  },
  {
    name: 'drop-buyer-reference',
    apply: (_r, x) => x.replace(/<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/, ''),
  },
  { name: 'whitespace-note', apply: (_r, x) => x.replace(/<cbc:Note>[^<]*</, '<cbc:Note> \n <') },
  {
    name: 'payable-off-by-cent',
    apply: (_r, x) =>
      x.replace(
        /(<cbc:PayableAmount currencyID="\w+">)(-?\d+)\.(\d\d)/,
        (_m, a, i, f) => `${a}${i}.${String((Number(f) + 1) % 100).padStart(2, '0')}`,
      ),
  },
  {
    name: 'line-total-off',
    apply: (_r, x) =>
      x.replace(
        /(<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="\w+">)(-?\d+)/,
        (_m, a, i) => `${a}${Number(i) + 1}`,
      ),
  },
  {
    name: 'drop-seller-vat',
    apply: (_r, x) =>
      x.replace(
        /<cac:PartyTaxScheme><cbc:CompanyID>[^<]*<\/cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT<\/cbc:ID><\/cac:TaxScheme><\/cac:PartyTaxScheme>/,
        '',
      ),
  },
  {
    name: 'seller-tax-scheme-not-vat',
    apply: (_r, x) =>
      x.replace(
        /(<cac:AccountingSupplierParty>[\s\S]*?<cac:PartyTaxScheme><cbc:CompanyID>[^<]*<\/cbc:CompanyID><cac:TaxScheme><cbc:ID>)VAT/,
        '$1TAX',
      ),
  },
  {
    name: 'drop-payment-means',
    apply: (_r, x) => x.replace(/<cac:PaymentMeans>[\s\S]*?<\/cac:PaymentMeans>/, ''),
  },
  {
    name: 'drop-endpoint-scheme',
    apply: (_r, x) => x.replace(/<cbc:EndpointID schemeID="[^"]*">/, '<cbc:EndpointID>'),
  },
  {
    name: 'unknown-endpoint-scheme',
    apply: (r, x) =>
      x.replace(
        /<cbc:EndpointID schemeID="[^"]*">/,
        `<cbc:EndpointID schemeID="${pick(r, ['0207', '9906', '0240', '0235', '0177', 'XX'])}">`,
      ),
  },
  {
    name: 'bad-unit-code',
    apply: (r, x) =>
      x.replace(/unitCode="[^"]*"/, `unitCode="${pick(r, ['ZZZ', 'H87', 'XPP', 'EA ', 'e'])}"`),
  },
  {
    name: 'three-decimals-amount',
    apply: (_r, x) => x.replace(/(<cbc:TaxableAmount currencyID="\w+">-?\d+\.\d\d)/, '$10'),
  },
  {
    name: 'empty-contact-email',
    apply: (_r, x) => x.replace(/<cbc:ElectronicMail>[^<]*</, '<cbc:ElectronicMail> <'),
  },
  { name: 'drop-contact', apply: (_r, x) => x.replace(/<cac:Contact>[\s\S]*?<\/cac:Contact>/, '') },
  { name: 'blank-city', apply: (_r, x) => x.replace(/<cbc:CityName>[^<]*</, '<cbc:CityName>  <') },
  {
    name: 'withholding-tax-B',
    apply: (_r, x) =>
      x.replace(
        /<cac:LegalMonetaryTotal>/,
        '<cac:WithholdingTaxTotal><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">0.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount><cac:TaxCategory><cbc:ID>B</cbc:ID><cbc:Percent>0</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal></cac:WithholdingTaxTotal><cac:LegalMonetaryTotal>',
      ),
  },
  {
    name: 'two-notes',
    apply: (_r, x) =>
      x.replace(
        /(<cbc:DocumentCurrencyCode>)/,
        '<cbc:Note>first</cbc:Note><cbc:Note>second</cbc:Note>$1',
      ),
  },
  {
    name: 'type-384',
    apply: (_r, x) => x.replace(/<cbc:InvoiceTypeCode>\d+</, '<cbc:InvoiceTypeCode>384<'),
  },
  {
    name: 'skonto-terms',
    apply: (_r, x) =>
      x.replace(
        /<cbc:Note>Net 30 days<\/cbc:Note>/,
        '<cbc:Note>#SKONTO#TAGE=14#PROZENT=2.00#\n</cbc:Note>',
      ),
  },
  {
    name: 'lowercase-vat-scheme',
    apply: (_r, x) =>
      x.replace(
        /<cac:TaxScheme><cbc:ID>VAT<\/cbc:ID><\/cac:TaxScheme><\/cac:ClassifiedTaxCategory>/,
        '<cac:TaxScheme><cbc:ID>vat</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>',
      ),
  },
  {
    name: 'category-padded',
    apply: (_r, x) =>
      x.replace(
        /<cac:ClassifiedTaxCategory><cbc:ID>(\w+)</,
        '<cac:ClassifiedTaxCategory><cbc:ID> $1 <',
      ),
  },
  { name: 'attachment-no-mime', apply: (_r, x) => x.replace(/ mimeCode="[^"]*"/, '') },
  {
    name: 'percent-missing',
    apply: (_r, x) =>
      x.replace(/(<cac:TaxSubtotal>[\s\S]*?)<cbc:Percent>[^<]*<\/cbc:Percent>/, '$1'),
  },
  {
    name: 'due-date-dropped',
    apply: (_r, x) =>
      x
        .replace(/<cbc:DueDate>[^<]*<\/cbc:DueDate>/, '')
        .replace(/<cac:PaymentTerms>[\s\S]*?<\/cac:PaymentTerms>/, ''),
  },
  {
    name: 'negative-price',
    apply: (_r, x) => x.replace(/(<cbc:PriceAmount currencyID="\w+">)/, '$1-'),
  },
  {
    name: 'dk-credit-negative',
    apply: (_r, x) => x.replace(/(<cbc:PayableAmount currencyID="\w+">)/, '$1-'),
  },
  {
    name: 'period-reversed',
    apply: (_r, x) =>
      x.replace(
        '<cbc:StartDate>2025-01-01</cbc:StartDate><cbc:EndDate>2025-12-31</cbc:EndDate>',
        '<cbc:StartDate>2025-12-31</cbc:StartDate><cbc:EndDate>2025-01-01</cbc:EndDate>',
      ),
  },
  {
    name: 'nbsp-note',
    apply: (_r, x) => x.replace(/(<cbc:DocumentCurrencyCode>)/, '<cbc:Note>\u00a0</cbc:Note>$1'),
  },
  {
    name: 'nbsp-buyer-reference',
    apply: (_r, x) => x.replace(/<cbc:BuyerReference>[^<]*</, '<cbc:BuyerReference>\u00a0<'),
  },
  {
    name: 'verzug-terms',
    apply: (_r, x) =>
      x.replace(
        /<cbc:Note>Net 30 days<\/cbc:Note>/,
        '<cbc:Note>#VERZUG#TAGE=14#PROZENT=5.00#\n</cbc:Note>',
      ),
  },
  {
    name: 'hash-comment-terms',
    apply: (_r, x) =>
      x.replace(
        /<cbc:Note>Net 30 days<\/cbc:Note>/,
        '<cbc:Note>#SKONTO#TAGE=10#PROZENT=2.00#\n# Bitte Rechnungsnummer angeben\n</cbc:Note>',
      ),
  },
  {
    name: 'giro-account-letters',
    apply: (_r, x) =>
      x.replace(
        /<cbc:PaymentMeansCode>\w+<\/cbc:PaymentMeansCode>(<cbc:PaymentDueDate>[^<]*<\/cbc:PaymentDueDate>)?<cbc:PaymentID>\d+<\/cbc:PaymentID>(<cac:PayeeFinancialAccount><cbc:ID>)[^<]*/,
        '<cbc:PaymentMeansCode>50</cbc:PaymentMeansCode>$1<cbc:PaymentID>01#1234</cbc:PaymentID>$2AB12345',
      ),
  },
  {
    name: 'legal-scheme-0184-on-non-dk',
    apply: (_r, x) =>
      x.replace(
        /(<cac:PartyLegalEntity><cbc:RegistrationName>[^<]*<\/cbc:RegistrationName><cbc:CompanyID)( schemeID="[^"]*")?>/,
        '$1 schemeID="0184">',
      ),
  },
];

function mutate(r: R, xml: string): { xml: string; name: string } {
  const m = pick(r, MUTATIONS);
  return { xml: m.apply(r, xml), name: m.name };
}

/** The rule ids that compare as "EN 16931" (CEN part); everything else is the Peppol part. */
export function isCenRule(id: string): boolean {
  return id.startsWith('BR-') || id.startsWith('UBL-');
}
