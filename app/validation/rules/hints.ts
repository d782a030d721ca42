import type { XNode } from '../xml-tree';
import { isDateText10 } from './code-lists';

/**
 * What to do about the most common findings, for the person fixing the invoice (shown under the
 * message). Keyed by official rule id; data only, so a new release can add or change hints
 * without touching the rules.
 */
export const RULE_HINTS: Readonly<Record<string, string>> = {
  'BR-CO-10':
    'Add up the net amounts of all lines and put that sum in the line total. Usually the accounting system recalculates this when the invoice is exported again.',
  'BR-CO-11':
    'The "allowances" total must be the sum of the document level allowances (discounts). Check for a discount that was added or removed by hand.',
  'BR-CO-12':
    'The "charges" total must be the sum of the document level charges (e.g. freight). Check for a charge that was added or removed by hand.',
  'BR-CO-13':
    'Total without VAT = sum of lines − allowances + charges. Recalculate the totals in the accounting system and export again.',
  'BR-CO-14':
    'The total VAT must be the sum of the VAT of each VAT rate in the VAT breakdown. This usually comes from rounding VAT per line instead of per rate.',
  'BR-CO-15':
    'Total with VAT = total without VAT + total VAT. Recalculate the totals in the accounting system and export again.',
  'BR-CO-16':
    'Amount due = total with VAT − amount already paid + rounding. Check the prepaid amount and the rounding amount.',
  'BR-CO-17':
    'Calculate the VAT of each rate on the taxable amount of that rate (not line by line) and round to 2 decimals.',
  'BR-S-08':
    'For each standard VAT rate, the taxable amount must equal the line amounts at that rate plus charges minus allowances at that rate. Check that every line carries the right VAT rate.',
  'BR-CO-25':
    'Add a payment due date or payment terms (for example "30 days net") to the invoice in the accounting system.',
  'PEPPOL-EN16931-R003':
    "Ask the buyer for their reference (often a cost centre, department or contact person) or use the buyer's purchase order number, and add it to the invoice.",
  'PEPPOL-EN16931-R010':
    "Add the buyer's Peppol ID (electronic address, for example 0208:0123456789) in the customer record of the accounting system. The buyer can tell you which ID they receive invoices on.",
  'PEPPOL-EN16931-R020':
    'Add your own Peppol ID (electronic address) in the company settings of the accounting system. Your access point provider can tell you which one is registered for you.',
  'PEPPOL-EN16931-F001':
    'Dates must be written as year-month-day with dashes, for example 2025-05-31. Check the export settings of the accounting system.',
  'BR-02': 'Give the invoice its number in the accounting system and export again.',
  'BR-03': 'Set the invoice date in the accounting system and export again.',
  'BR-CO-09':
    'A VAT number starts with the two-letter country code, for example NL123456789B01 or DE123456789. Check the VAT number in the company or customer record.',
};

/** The hint of a date written right that is no day of the calendar (F001's, and structure.ts's). */
export const NO_SUCH_DAY_HINT =
  'There is no such day: correct the date in the accounting system and export again.';

/** A date's text written year-month-day, whether or not there is such a day. */
export const DAY_FORM = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Hints for one finding, where the rule's own does not fit it (undefined: the rule's own). Walk
 * 18: an issue date 2026-02-30, written right, was told to check the export's date format.
 */
export const RULE_HINTS_FOR: Readonly<Record<string, (n: XNode) => string | undefined>> = {
  'PEPPOL-EN16931-F001': (n) => {
    const t = n.text.trim();
    if (t !== n.text && isDateText10(t))
      return 'Write the date alone, without spaces or line breaks around it. Check the export settings of the accounting system.';
    return DAY_FORM.test(t) ? NO_SUCH_DAY_HINT : undefined;
  },
};
