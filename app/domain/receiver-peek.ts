/**
 * The buyer's Peppol id of a UBL invoice or credit note read from its bytes without parsing them:
 * the first `EndpointID` inside `AccountingCustomerParty`, canonical as the checked summary's
 * `receiver_id` is. A guess made only to look the buyer up while the file is being checked (the
 * lookup's answer is used only once the check has found the same buyer): null whenever it is not
 * plain (no such element, an entity or a comment in it, another encoding than ASCII's).
 */
import { canonicalParticipantId, makeParticipantId } from './peppol-id';

const CUSTOMER = Buffer.from('AccountingCustomerParty');
/** Bytes read after the customer party's start: its endpoint comes first in its Party. */
const WINDOW = 4096;
const ENDPOINT =
  /^[\s\S]*?<(?:[\w.-]+:)?EndpointID\b([^>]*)>([^<&]*)<\/(?:[\w.-]+:)?EndpointID\s*>/;
const SCHEME = /\bschemeID\s*=\s*(?:"([^"]*)"|'([^']*)')/;
const CLOSED = /<\/(?:[\w.-]+:)?AccountingCustomerParty\b/;

/** The buyer's canonical participant id, or null (see the file comment). */
export function peekReceiver(bytes: Uint8Array): string | null {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buf.indexOf(CUSTOMER);
  // Not an opening tag's name (`<cac:AccountingCustomerParty`): nothing to guess from.
  if (at < 1 || (buf[at - 1] !== 0x3c /* < */ && buf[at - 1] !== 0x3a) /* : */) return null;
  const text = buf.toString('latin1', at, Math.min(buf.length, at + WINDOW));
  const m = ENDPOINT.exec(text);
  if (!m) return null;
  // The endpoint must be the customer party's own, before the party closes.
  const closed = CLOSED.exec(text);
  if (closed && closed.index < m[0].length) return null;
  const scheme = SCHEME.exec(m[1]!);
  const id = scheme ? makeParticipantId(scheme[1] ?? scheme[2] ?? '', m[2]!) : null;
  return id ? canonicalParticipantId(id.scheme, id.value) : null;
}
