import { createHash } from 'node:crypto';
import {
  BILLING_PROCESS_ID,
  CREDIT_NOTE_DOCUMENT_TYPE,
  INVOICE_DOCUMENT_TYPE,
  type ParticipantId,
} from '../domain/peppol-id';

// The Peppol identifier rules live in the domain; re-exported for the sandbox's modules.
export {
  BILLING_PROCESS_ID,
  CREDIT_NOTE_DOCUMENT_TYPE,
  INVOICE_DOCUMENT_TYPE,
  makeParticipantId,
  parseParticipantId,
  participantKey,
  type ParticipantId,
} from '../domain/peppol-id';

/** The two document kinds the sandbox routes. */
export type DocumentKind = 'Invoice' | 'CreditNote';

/** How a receiver behaves once a document is sent to it. */
export type DeliveryBehaviour =
  | 'deliver'
  | 'reject-all'
  | 'timeout'
  | 'invalid-cert'
  | `respond-${SandboxResponseCode}`
  | `respond-${SandboxResponseCode}-invoices`;

/** Business response codes the sandbox's `9915:respond-<code>` receivers answer with. */
export type SandboxResponseCode = 'AB' | 'IP' | 'UQ' | 'CA' | 'AP' | 'RE' | 'PD';
const RESPONDERS = /^respond-(ab|ip|uq|ca|ap|re|pd)(-invoices)?$/;

/** What the sandbox's pretend SMP knows about a participant. */
export interface SandboxParticipant {
  id: ParticipantId;
  registered: boolean;
  name: string;
  accepts: readonly DocumentKind[];
  behaviour: DeliveryBehaviour;
}

const BOTH: readonly DocumentKind[] = ['Invoice', 'CreditNote'];

/** The receivers the provider documents for its test network, keyed by lower-cased value. */
const TEST_RECEIVERS: Record<
  string,
  {
    name: string;
    registered: boolean;
    accepts: readonly DocumentKind[];
    behaviour: DeliveryBehaviour;
  }
> = {
  'phase4-test-receiver': {
    name: 'phase4 test receiver',
    registered: true,
    accepts: BOTH,
    behaviour: 'deliver',
  },
  'not-registered': {
    name: 'Not registered',
    registered: false,
    accepts: [],
    behaviour: 'deliver',
  },
  'reject-all': {
    name: 'Rejects every document',
    registered: true,
    accepts: BOTH,
    behaviour: 'reject-all',
  },
  'timeout-test': {
    name: 'Slow receiving access point',
    registered: true,
    accepts: BOTH,
    behaviour: 'timeout',
  },
  'invalid-cert': {
    name: 'Receiver with an invalid certificate',
    registered: true,
    accepts: BOTH,
    behaviour: 'invalid-cert',
  },
  'invoice-only': {
    name: 'Accepts invoices only',
    registered: true,
    accepts: ['Invoice'],
    behaviour: 'deliver',
  },
  'credit-note-only': {
    name: 'Accepts credit notes only',
    registered: true,
    accepts: ['CreditNote'],
    behaviour: 'deliver',
  },
};

/** Countries of a few common participant id schemes (ISO 6523 ICD / Peppol EAS codes). */
const SCHEME_COUNTRY: Record<string, string> = {
  '0007': 'SE',
  '0009': 'FR',
  '0106': 'NL',
  '0184': 'DK',
  '0190': 'NL',
  '0192': 'NO',
  '0195': 'SG',
  '0196': 'IS',
  '0204': 'DE',
  '0208': 'BE',
  '0211': 'IT',
  '0216': 'FI',
  '9915': 'AT',
  '9925': 'BE',
  '9930': 'DE',
  '9944': 'NL',
};

/**
 * Look a participant up in the sandbox's pretend SMP.
 *
 * - The documented `9915:*` test receivers behave as the provider describes.
 * - `9915:respond-<code>` (ab, ip, uq, ca, ap, re, pd) is delivered, then answers with that
 *   business response, so every buyer answer can be produced at will; `9915:respond-<code>-invoices`
 *   answers invoices so and takes credit notes without an answer (a buyer that rejects an invoice
 *   and accepts the credit note sent for it).
 * - Any value starting with `unreg` (case-insensitive, any scheme, e.g. `9915:unregistered-1`)
 *   is NOT registered, so tests can produce "not on Peppol" receivers at will. (With a scheme
 *   whose numbers are checked, as 0208's are, such a value fails that check first.)
 * - Every other well-formed id is registered and accepts invoices and credit notes, so generated
 *   test invoices with arbitrary receivers go through.
 */
export function findParticipant(id: ParticipantId): SandboxParticipant {
  const lower = id.value.toLowerCase();
  const test = id.scheme === '9915' ? TEST_RECEIVERS[lower] : undefined;
  if (test) return { id, ...test };
  const responder = id.scheme === '9915' ? RESPONDERS.exec(lower) : null;
  if (responder) {
    const code = responder[1]!.toUpperCase() as SandboxResponseCode;
    const invoicesOnly = responder[2] !== undefined;
    return {
      id,
      registered: true,
      name: invoicesOnly ? `Buyer answering ${code} to invoices` : `Buyer answering ${code}`,
      accepts: BOTH,
      behaviour: invoicesOnly ? `respond-${code}-invoices` : `respond-${code}`,
    };
  }
  if (lower.startsWith('unreg')) {
    return {
      id,
      registered: false,
      name: 'Unregistered participant',
      accepts: [],
      behaviour: 'deliver',
    };
  }
  return {
    id,
    registered: true,
    // Walk 22b: "Receiver found: Sandbox participant 0208:…" on the timeline of a buyer the real
    // network did not know.
    name: `Practice buyer ${id.scheme}:${id.value} (a sandbox access point takes every buyer as registered)`,
    accepts: BOTH,
    behaviour: 'deliver',
  };
}

/** The document type id of a document kind. */
export function documentTypeId(kind: DocumentKind): string {
  return kind === 'Invoice' ? INVOICE_DOCUMENT_TYPE : CREDIT_NOTE_DOCUMENT_TYPE;
}

/** The lookup answer (superset of both documented forms) for a participant. */
export function lookupAnswer(p: SandboxParticipant): Record<string, unknown> {
  const participantId = `${p.id.scheme}:${p.id.value}`;
  const base = {
    found: p.registered,
    registered: p.registered,
    participant_id: participantId,
    scheme: p.id.scheme,
    identifier: p.id.value,
  };
  if (!p.registered) {
    return {
      ...base,
      name: null,
      country: null,
      capabilities: [],
      access_point: null,
      smp_endpoint: null,
    };
  }
  // The SML host name of a participant: B-<md5 of the lower-cased value>.<scheme>.<SML zone>.
  const md5 = createHash('md5').update(p.id.value.toLowerCase()).digest('hex');
  return {
    ...base,
    name: p.name,
    country: SCHEME_COUNTRY[p.id.scheme] ?? null,
    capabilities: p.accepts.map((kind) => ({
      document_type: documentTypeId(kind),
      process_id: BILLING_PROCESS_ID,
    })),
    access_point: {
      name: 'Peppol Desk sandbox access point',
      peppol_ap_id: SANDBOX_AP_ID,
      endpoint_url: 'https://sandbox.invalid/as4',
    },
    smp_endpoint: `http://B-${md5}.iso6523-actorid-upis.acc.edelivery.tech.ec.europa.eu`,
  };
}

/** The sandbox's pretend Peppol access point id. */
export const SANDBOX_AP_ID = 'PSANDBOX001';
