/**
 * Check-digit functions of the Peppol Schematron (u:gln, u:mod11, u:mod97-0208, u:checkCF, …),
 * following the XPath originals including their edge cases.
 */

const INTEGER = /^\s*[+-]?[0-9]+\s*$/;
const LETTERS = /^[A-Za-z]*$/;
const ALNUM6 = /^[A-Za-z0-9]{6}$/;
const ALL_DIGITS = /^[0-9]+$/;
const DIGIT = /[0-9]/;
const IBAN = /^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$/;

function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

/** xs:integer castable check. */
export function castableInteger(s: string): boolean {
  return INTEGER.test(s);
}

/** GS1 GLN check digit (u:gln). */
export function gln(v: string): boolean {
  const len = v.length - 1;
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const d = digitAt(v, len - 1 - i);
    sum += d * (1 + ((i + 1) % 2) * 2);
  }
  return (10 - (sum % 10)) % 10 === Number(v.substring(len, len + 1));
}

/** Norwegian organisation number modulus 11 (u:mod11). */
export function mod11(v: string): boolean {
  const len = v.length - 1;
  let sum = 0;
  for (let i = 0; i < len; i++) sum += digitAt(v, len - 1 - i) * ((i % 6) + 2);
  const last = v.substring(len, len + 1);
  return Number(v) > 0 && last !== '' && (11 - (sum % 11)) % 11 === Number(last);
}

/** Belgian enterprise number check (u:mod97-0208). */
export function mod97be(v: string): boolean {
  const head = v.substring(0, 8);
  if (!castableInteger(head)) return false;
  const check = v.substring(8, 10);
  return Number(check) === 97 - (Number(head) % 97);
}

/** Italian IPA code (u:checkCodiceIPA). */
export function codiceIpa(v: string): boolean {
  return ALNUM6.test(v);
}

function cf16(v: string): boolean {
  return (
    LETTERS.test(v.substring(0, 6)) &&
    castableInteger(v.substring(6, 8)) &&
    LETTERS.test(v.substring(8, 9)) &&
    castableInteger(v.substring(9, 11)) &&
    castableInteger(v.substring(14, 15)) &&
    LETTERS.test(v.substring(15, 16))
  );
}

/** Italian Codice Fiscale (u:checkCF). */
export function codiceFiscale(v: string): boolean {
  if (v.length === 16) return cf16(v);
  if (v.length === 11) return castableInteger(v);
  return false;
}

function addPiva(arg: string, pari: number): number {
  if (!castableInteger(arg)) return 0;
  const d = Number(arg.substring(0, 1));
  const mapped = pari === 1 ? Number('0246813579'.charAt(d)) : d;
  return mapped + addPiva(arg.substring(1), pari === 0 ? 1 : 0);
}

/** Italian Partita IVA with optional IT prefix (u:checkPIVAseIT). */
export function partitaIvaIT(v: string): boolean {
  const paese = v.substring(0, 2);
  const codice = v.substring(2);
  if (paese !== 'IT' && paese !== 'it') return true;
  if (codice.length !== 11) return false;
  if (!castableInteger(codice)) return false;
  return addPiva(codice, 0) % 10 === 0;
}

/** Swedish organisation number, Luhn check (u:checkSEOrgnr). */
export function seOrgnr(v: string): boolean {
  if (!ALL_DIGITS.test(v)) return false;
  const main = v.substring(0, 9);
  const check = v.substring(9, 10);
  let sum = 0;
  for (let pos = 1; pos <= main.length; pos++) {
    const d = digitAt(main, main.length - pos);
    if (pos % 2 === 1) sum += ((d * 2) % 10) + Math.floor((d * 2) / 10);
    else sum += d;
  }
  return check !== '' && (10 - (sum % 10)) % 10 === Number(check);
}

/** Australian Business Number (u:abn). */
export function abn(v: string): boolean {
  const w = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];
  let sum = (v.charCodeAt(0) - 49) * 10;
  for (let i = 1; i < 11; i++) sum += (v.charCodeAt(i) - 48) * w[i]!;
  return sum % 89 === 0;
}

/** Greek TIN check digit (u:TinVerification). */
export function greekTin(v: string): boolean {
  const d = (i: number) => (i < v.length && DIGIT.test(v.charAt(i)) ? v.charCodeAt(i) - 48 : NaN);
  const sum =
    d(7) * 2 + d(6) * 4 + d(5) * 8 + d(4) * 16 + d(3) * 32 + d(2) * 64 + d(1) * 128 + d(0) * 256;
  return (sum % 11) % 10 === d(8);
}

/** IBAN mod-97 check on an already whitespace-stripped value. */
export function iban(v: string): boolean {
  if (!IBAN.test(v)) return false;
  const r = v.substring(4) + v.substring(0, 2).toUpperCase() + v.substring(2, 4);
  let rem = 0;
  for (let i = 0; i < r.length; i++) {
    const cp = r.charCodeAt(i);
    const s = cp > 64 ? String(cp - 55) : String(cp - 48);
    for (let j = 0; j < s.length; j++) rem = (rem * 10 + (s.charCodeAt(j) - 48)) % 97;
  }
  return rem === 1;
}
