import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { DocumentKind } from './participants';
import { decodeXml } from '../domain/xml-encoding';

const UBL_ROOT_NS: Record<string, DocumentKind> = {
  'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2': 'Invoice',
  'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2': 'CreditNote',
};
const CAC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2';
const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';

/** BIS Billing 3.0 specification identifier (BT-24) a CustomizationID must start with. */
export const BIS_CUSTOMIZATION_ID =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';

/** The few facts the sandbox reads from a document. Fields are null when absent. */
export interface DocumentFacts {
  /** Root local name, e.g. 'Invoice' or 'Order'. */
  rootName: string;
  /** Invoice or CreditNote when the root is one in the UBL namespace, otherwise null. */
  kind: DocumentKind | null;
  customizationId: string | null;
  profileId: string | null;
  /** cbc:ID directly under the root: the invoice or credit note number. */
  documentNumber: string | null;
  /** Buyer's cac:AccountingCustomerParty/cac:Party/cbc:EndpointID and its @schemeID. */
  receiverEndpoint: { value: string; schemeId: string | null } | null;
}

/** Raised when a document is not well-formed XML. */
export class MalformedXmlError extends Error {
  /** Stable code, also used as the HTTP error code. */
  readonly code = 'INVALID_XML';
}

/**
 * The characters of a document received as bytes, by XML's own rules (byte order mark, then the
 * declaration; see app/domain/xml-encoding.ts): UTF-16 is read as UTF-16, and bytes in another
 * encoding than the one declared are not well-formed.
 *
 * @throws MalformedXmlError when the bytes are not text in the encoding they declare.
 */
export function xmlText(bytes: Uint8Array): string {
  const decoded = decodeXml(bytes);
  if (decoded.ok) return decoded.text;
  throw new MalformedXmlError(
    decoded.reason === 'mismatch'
      ? `The document is saved as ${decoded.savedAs} but declares encoding "${decoded.declared}".`
      : decoded.reason === 'unsupported'
        ? `The document declares encoding "${decoded.declared}", which is not supported.`
        : decoded.reason === 'utf32'
          ? 'The document is saved as UTF-32, which is not supported.'
          : decoded.reason === 'utf16-no-bom'
            ? 'The document is saved as UTF-16 without a byte order mark.'
            : 'The document is not text in the encoding it declares.',
  );
}

type Capture = 'customizationId' | 'profileId' | 'documentNumber' | 'receiver';

/**
 * Check well-formedness and read the document's kind, identifiers and receiver in one streaming
 * pass (no DOM). This is deliberately not a validator: the sandbox only needs routing facts.
 *
 * @throws MalformedXmlError when the XML is not well-formed (namespaces included).
 */
export function inspectDocument(xml: string): DocumentFacts {
  const facts: DocumentFacts = {
    rootName: '',
    kind: null,
    customizationId: null,
    profileId: null,
    documentNumber: null,
    receiverEndpoint: null,
  };
  // Path of namespace-qualified names below the root: just enough to recognise the receiver.
  const path: string[] = [];
  let capture: Capture | null = null;
  let captureDepth = 0;
  let text = '';
  let receiverScheme: string | null = null;

  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const depth = path.length;
    const name = `${tag.uri}|${tag.local}`;
    path.push(name);
    if (depth === 0) {
      facts.rootName = tag.local;
      const kind = UBL_ROOT_NS[tag.uri];
      facts.kind = kind === tag.local ? kind : null;
      return;
    }
    if (capture !== null || facts.kind === null) return;
    let next: Capture | null = null;
    if (depth === 1 && tag.uri === CBC) {
      if (tag.local === 'CustomizationID' && facts.customizationId === null)
        next = 'customizationId';
      else if (tag.local === 'ProfileID' && facts.profileId === null) next = 'profileId';
      else if (tag.local === 'ID' && facts.documentNumber === null) next = 'documentNumber';
    } else if (
      depth === 3 &&
      tag.uri === CBC &&
      tag.local === 'EndpointID' &&
      facts.receiverEndpoint === null &&
      path[1] === `${CAC}|AccountingCustomerParty` &&
      path[2] === `${CAC}|Party`
    ) {
      next = 'receiver';
      const scheme = tag.attributes['schemeID'];
      receiverScheme = scheme && typeof scheme === 'object' ? scheme.value : null;
    }
    if (next !== null) {
      capture = next;
      captureDepth = depth;
      text = '';
    }
  });
  parser.on('text', (t) => {
    if (capture !== null) text += t;
  });
  parser.on('cdata', (t) => {
    if (capture !== null) text += t;
  });
  parser.on('closetag', () => {
    path.pop();
    if (capture !== null && path.length === captureDepth) {
      const value = text.trim();
      if (capture === 'receiver') {
        facts.receiverEndpoint = { value, schemeId: receiverScheme?.trim() || null };
      } else {
        facts[capture] = value;
      }
      capture = null;
    }
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new MalformedXmlError(err instanceof Error ? err.message : String(err));
  }
  if (facts.rootName === '') throw new MalformedXmlError('The document has no root element.');
  return facts;
}

/** One finding of the light validation, in the provider's `{rule, location, message}` shape. */
export interface ValidationFinding {
  rule: string;
  location: string;
  message: string;
}

/**
 * The sandbox's light checks: root Invoice/CreditNote in the UBL namespace, CustomizationID and
 * ProfileID present (BIS 3.0 values), buyer EndpointID with a schemeID.
 */
export function lightValidate(facts: DocumentFacts): ValidationFinding[] {
  const errors: ValidationFinding[] = [];
  if (facts.kind === null) {
    errors.push({
      rule: 'SANDBOX-ROOT',
      location: `/${facts.rootName}`,
      message: `The root element is ${facts.rootName}; a Peppol BIS Billing 3.0 document is a UBL Invoice or CreditNote.`,
    });
    return errors;
  }
  const root = `/${facts.kind}`;
  if (!facts.customizationId) {
    errors.push({
      rule: 'BR-01',
      location: `${root}/cbc:CustomizationID`,
      message: 'An Invoice shall have a Specification identifier (BT-24).',
    });
  } else if (!facts.customizationId.startsWith(BIS_CUSTOMIZATION_ID)) {
    errors.push({
      rule: 'PEPPOL-EN16931-R004',
      location: `${root}/cbc:CustomizationID`,
      message: `Specification identifier MUST start with the value '${BIS_CUSTOMIZATION_ID}'.`,
    });
  }
  if (!facts.profileId) {
    errors.push({
      rule: 'PEPPOL-EN16931-R001',
      location: `${root}/cbc:ProfileID`,
      message: 'Business process MUST be provided.',
    });
  }
  const endpoint = facts.receiverEndpoint;
  if (!endpoint || !endpoint.value) {
    errors.push({
      rule: 'PEPPOL-EN16931-R010',
      location: `${root}/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID`,
      message: 'Buyer electronic address MUST be provided.',
    });
  } else if (!endpoint.schemeId) {
    errors.push({
      rule: 'BR-63',
      location: `${root}/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID`,
      message: 'The Buyer electronic address (BT-49) shall have a Scheme identifier.',
    });
  }
  return errors;
}
