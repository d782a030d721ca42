import type { Finding } from './types';
import type { XDoc, XNode } from './xml-tree';
import { NS } from './xml-tree';
import { MAX_FINDINGS } from './engine';
import { elementTerm } from '../domain/business-terms';
import { attr, locationOf } from './xpath';
import { NO_SUCH_DAY_HINT } from './rules/hints';

import { UBL_AGGREGATE_TYPES, UBL_CONTENT_MODELS } from './ubl-structure.generated';

/**
 * Structural checks of the UBL 2.1 schema: for the document and every aggregate (cac:*) in it,
 * the children allowed, their order, how often each may occur and which are required (from the
 * generated table of UBL 2.1 content models, ubl-structure.generated.ts); for every basic
 * element (cbc:*), the lexical form of its data type (date, time, decimal, indicator, binary)
 * and the attributes its data type requires (currencyID on amounts, unitCode on measures,
 * mimeCode on binary objects). Ids start with `XSD-` so they are never confused with Schematron
 * rule ids. Extensions (ext:UBLExtensions) are not looked into: their content is open.
 */

interface CompiledModel {
  /** Position of each allowed child in the sequence. */
  index: Map<string, number>;
  names: string[];
  min: number[];
  /** 1 or Infinity. */
  max: number[];
}

function compile(spec: string): CompiledModel {
  const index = new Map<string, number>();
  const names: string[] = [];
  const min: number[] = [];
  const max: number[] = [];
  for (const token of spec.split(' ')) {
    const mark = token[token.length - 1];
    const marked = mark === '!' || mark === '+' || mark === '*';
    const name = marked ? token.slice(0, -1) : token;
    index.set(name, names.length);
    names.push(name);
    min.push(mark === '!' || mark === '+' ? 1 : 0);
    max.push(mark === '+' || mark === '*' ? Infinity : 1);
  }
  return { index, names, min, max };
}

// Compiled once per content model; aggregates share models by type (e.g. every PartyType).
const BY_TYPE = new Map<string, CompiledModel>();
for (const [type, spec] of Object.entries(UBL_CONTENT_MODELS)) BY_TYPE.set(type, compile(spec));

/** The content model of an element, or undefined for basic and unknown elements. */
function modelOf(n: XNode): CompiledModel | undefined {
  if (n.parent === null) return BY_TYPE.get(n.q);
  if (n.ns !== NS.cac) return undefined;
  const type = UBL_AGGREGATE_TYPES[n.local];
  return type === undefined ? undefined : BY_TYPE.get(type);
}

const LEADING_MINUS = /^-/;
/** xsd:date: optional minus, a year of four or more digits, month, day, optional time zone. */
const DATE = /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/;
/** xsd:time: hh:mm:ss with optional fraction and time zone. */
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const BOOLEAN = new Set(['true', 'false', '1', '0']);
/** XML Schema whitespace (the "collapse" facet of non-string types removes only these). */
const XS_SPACE = /[ \t\r\n]+/g;

function display(q: string): string {
  return q.startsWith('ubl:') ? q.slice(4) : q;
}

/**
 * The business group (EN 16931) an aggregate carries, so a structural message says where in the
 * invoice the clerk should look. Only aggregates whose group does not depend on the parent.
 */
const GROUPS: Readonly<Record<string, string>> = {
  'cac:BillingReference': 'preceding invoice reference, BG-3',
  'cac:AccountingSupplierParty': 'seller, BG-4',
  'cac:AccountingCustomerParty': 'buyer, BG-7',
  'cac:PayeeParty': 'payee, BG-10',
  'cac:TaxRepresentativeParty': 'seller tax representative, BG-11',
  'cac:Delivery': 'delivery information, BG-13',
  'cac:InvoicePeriod': 'invoicing period, BG-14 / BG-26',
  'cac:PaymentMeans': 'payment instructions, BG-16',
  'cac:PayeeFinancialAccount': 'credit transfer, BG-17',
  'cac:CardAccount': 'payment card information, BG-18',
  'cac:PaymentMandate': 'direct debit, BG-19',
  'cac:LegalMonetaryTotal': 'document totals, BG-22',
  'cac:TaxSubtotal': 'VAT breakdown, BG-23',
  'cac:AdditionalDocumentReference': 'additional supporting documents, BG-24',
  'cac:InvoiceLine': 'invoice line, BG-25',
  'cac:CreditNoteLine': 'credit note line, BG-25',
  'cac:Price': 'price details, BG-29',
  'cac:ClassifiedTaxCategory': 'line VAT information, BG-30',
  'cac:Item': 'item information, BG-31',
  'cac:AdditionalItemProperty': 'item attributes, BG-32',
};

/**
 * The element a message is about, by its business term where the location line's table names
 * exactly it ("Invoice issue date (BT-2)"; the XPath stays in the location), else its UBL name.
 * Only computed for a finding, never per element.
 */
function named(path: string, q: string): string {
  return elementTerm(path) ?? display(q);
}

/** An element's name, with its business group when it has one of its own. */
export function described(q: string): string {
  const group = GROUPS[q];
  return group === undefined ? display(q) : `${display(q)} (${group})`;
}

/** What to do about a structural finding (the file itself is malformed, not the invoice data). */
const STRUCTURE_HINTS: Record<string, string> = {
  'XSD-ELEMENT-ORDER':
    'The file does not follow the UBL layout, which usually means it was edited by hand or made by a tool that does not support Peppol. Export it again from the accounting system.',
  'XSD-UNKNOWN-ELEMENT':
    'The file contains an element that UBL does not know, which usually means it was edited by hand or made by a tool that does not support Peppol. Export it again from the accounting system.',
  'XSD-MISSING-ELEMENT':
    'Fill in the missing information in the accounting system and export the invoice again.',
  'XSD-TOO-MANY':
    'The file repeats an element that UBL allows only once, which usually means it was edited by hand or made by a tool that does not support Peppol. Export it again from the accounting system.',
  'XSD-DATATYPE':
    'Dates are written 2025-05-31, times 14:30:00, amounts with a dot as decimal separator (1234.50), indicators as true or false and attachments in base64. Check the export settings of the accounting system.',
  'XSD-ATTRIBUTE':
    'Every amount must say its currency, every measure its unit and every attachment its file type (MIME code). Check the export settings of the accounting system.',
  'XSD-CONTENT':
    'The file does not follow the UBL layout. Export it again from the accounting system.',
};

function finding(rule: string, n: XNode, message: string, ownHint?: string): Finding {
  const f: Finding = { rule, flag: 'fatal', message, location: locationOf(n) };
  const hint = ownHint ?? STRUCTURE_HINTS[rule];
  if (hint !== undefined) f.hint = hint;
  return f;
}

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const [y, m, d] = s
    .replace(LEADING_MINUS, '')
    .split('-')
    .map((x) => parseInt(x, 10)) as [number, number, number];
  // XML Schema 1.0 has no year 0000.
  if (y === 0 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

function validTime(s: string): boolean {
  const m = TIME.exec(s);
  if (m === null) return false;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (m[6] !== undefined && (Number(m[6]) > 14 || Number(m[7]) > 59)) return false;
  // 24:00:00 is the only hour-24 time xsd:time accepts.
  if (h === 24) return min === 0 && sec === 0 && (m[4] === undefined || /^\.0+$/.test(m[4]));
  return h < 24 && min < 60 && sec < 60;
}

/** xsd:base64Binary: groups of four characters, padding only at the end with the unused bits zero. */
function validBase64(s: string): boolean {
  const t = s.replace(XS_SPACE, '');
  if (t.length % 4 !== 0) return false;
  if (!/^[A-Za-z0-9+/]*(==|=)?$/.test(t)) return false;
  if (t.endsWith('==')) return 'AQgw'.includes(t[t.length - 3] ?? '');
  if (t.endsWith('=')) return 'AEIMQUYcgkosw048'.includes(t[t.length - 2] ?? '');
  return true;
}

const enum Kind {
  Text,
  Amount,
  Measure,
  Binary,
  Date,
  Time,
  Number,
  Indicator,
}

/** The data type of a basic element, from its representation term (UBL naming rules). */
function kindOf(local: string): Kind {
  if (local.endsWith('Amount')) return Kind.Amount;
  if (local.endsWith('Date')) return Kind.Date;
  if (local.endsWith('Quantity') || local.endsWith('Numeric') || local.endsWith('Percent'))
    return Kind.Number;
  if (local.endsWith('Rate')) return Kind.Number;
  if (local.endsWith('Indicator')) return Kind.Indicator;
  if (local.endsWith('Time')) return Kind.Time;
  if (local.endsWith('Measure')) return Kind.Measure;
  if (local.endsWith('BinaryObject')) return Kind.Binary;
  return Kind.Text;
}

// Kinds by element name: element names repeat endlessly, their suffix tests need not.
const KIND_CACHE = new Map<string, Kind>();

/** The value after XML Schema white space collapsing (fast when there is nothing to collapse). */
function collapsed(t: string): string {
  if (t.length === 0) return t;
  if (t.charCodeAt(0) > 32 && t.charCodeAt(t.length - 1) > 32 && !/[ \t\r\n]{2}|[\t\r\n]/.test(t))
    return t;
  return t.replace(XS_SPACE, ' ').replace(/^ | $/g, '');
}

/** The data type checks of a basic element. */
function checkBasic(n: XNode, out: Finding[]): void {
  let kind = KIND_CACHE.get(n.local);
  if (kind === undefined) {
    kind = kindOf(n.local);
    KIND_CACHE.set(n.local, kind);
  }
  if (kind === Kind.Text) return;
  // Named only once there is something to say: most elements are fine.
  let shown: string | undefined;
  const nameOf = (): string => (shown ??= named(locationOf(n), n.q));
  const requireAttr = (a: string, what: string): void => {
    if (attr(n, a) === undefined) {
      out.push(finding('XSD-ATTRIBUTE', n, `${nameOf()} must state its ${what} (${a} attribute).`));
    }
  };
  if (kind === Kind.Binary) {
    requireAttr('mimeCode', 'file type');
    if (!validBase64(n.text)) {
      out.push(finding('XSD-DATATYPE', n, `${nameOf()} is not valid base64 content.`));
    }
    return;
  }
  const v = collapsed(n.text);
  switch (kind) {
    case Kind.Amount:
      requireAttr('currencyID', 'currency');
      if (!DECIMAL.test(v)) {
        out.push(
          finding(
            'XSD-DATATYPE',
            n,
            `${nameOf()} "${v}" is not a valid amount; use digits with a dot as decimal separator.`,
          ),
        );
      }
      return;
    case Kind.Measure:
      requireAttr('unitCode', 'unit of measure');
      if (!DECIMAL.test(v))
        out.push(finding('XSD-DATATYPE', n, `${nameOf()} "${v}" is not a valid number.`));
      return;
    case Kind.Date:
      if (!validDate(v)) {
        // Written right but no such day (2026-11-31, 2025-02-29): the format is not the problem.
        const noSuchDay = DATE.test(v);
        const why = noSuchDay
          ? 'is not a day of the calendar'
          : 'is not a valid date; use YYYY-MM-DD';
        // Its hint too (walk 18b: "Check the export settings" for one mistyped day).
        const hint = noSuchDay ? NO_SUCH_DAY_HINT : undefined;
        out.push(finding('XSD-DATATYPE', n, `${nameOf()} "${v}" ${why}.`, hint));
      }
      return;
    case Kind.Time:
      if (!validTime(v)) {
        out.push(
          finding('XSD-DATATYPE', n, `${nameOf()} "${v}" is not a valid time; use hh:mm:ss.`),
        );
      }
      return;
    case Kind.Number:
      if (!DECIMAL.test(v))
        out.push(finding('XSD-DATATYPE', n, `${nameOf()} "${v}" is not a valid number.`));
      return;
    case Kind.Indicator:
      if (!BOOLEAN.has(v))
        out.push(finding('XSD-DATATYPE', n, `${nameOf()} must be true or false.`));
      return;
  }
}

/** Order, allowed children and occurrences of one element with a content model. */
function checkChildren(n: XNode, m: CompiledModel, out: Finding[]): void {
  const parent = described(n.q);
  let last = -1;
  // One shared counter array (no allocation per aggregate); reset below for the next one.
  const counts =
    COUNTS.length >= m.names.length ? COUNTS : (COUNTS = new Int32Array(m.names.length));
  for (const ch of n.children) {
    // One past the cap is enough for the verdict to say there are more; further findings would
    // change nothing and cost a location each (300,000 stray children in one element).
    if (out.length > MAX_FINDINGS) break;
    const i = m.index.get(ch.q);
    if (i === undefined) {
      out.push(
        finding('XSD-UNKNOWN-ELEMENT', ch, `${display(ch.q)} is not allowed inside ${parent}.`),
      );
      continue;
    }
    counts[i]!++;
    if (counts[i]! > m.max[i]!) {
      out.push(
        finding(
          'XSD-TOO-MANY',
          ch,
          `${parent} may contain ${named(locationOf(ch), ch.q)} only once.`,
        ),
      );
    }
    if (i < last) {
      out.push(
        finding(
          'XSD-ELEMENT-ORDER',
          ch,
          `${display(ch.q)} is in the wrong place inside ${parent}; it must come before ${m.names[last]!}.`,
        ),
      );
    }
    if (i > last) last = i;
  }
  for (let i = 0; i < m.names.length; i++) {
    if (counts[i]! < m.min[i]! && out.length <= MAX_FINDINGS) {
      out.push(
        finding(
          'XSD-MISSING-ELEMENT',
          n,
          `${parent} must contain ${named(`${locationOf(n)}/${m.names[i]!}`, m.names[i]!)}.`,
        ),
      );
    }
    counts[i] = 0;
  }
}

let COUNTS = new Int32Array(64);

/** Run the structural checks over the whole document in one pass. */
export function checkStructure(doc: XDoc): Finding[] {
  const out: Finding[] = [];
  for (const n of doc.elements) {
    // Every structural finding is fatal: past the cap, more of them change nothing.
    if (out.length >= MAX_FINDINGS) break;
    if (n.ns === NS.cbc) {
      if (n.children.length > 0) {
        out.push(
          finding(
            'XSD-CONTENT',
            n,
            `${named(locationOf(n), n.q)} must contain a value, not other elements.`,
          ),
        );
        continue;
      }
      checkBasic(n, out);
      continue;
    }
    const m = modelOf(n);
    if (m === undefined) continue;
    checkChildren(n, m, out);
    if (n.text.trim() !== '') {
      out.push(finding('XSD-CONTENT', n, `${display(n.q)} must not contain text directly.`));
    }
  }
  return out;
}
