import { ACCESS_POINT_CHANGED, type Problem } from './problems';

/**
 * Held instead of being sent again after an attempt that may have reached the access point: under
 * another API key (`'key'`), or more than 23 hours later (`'old'`), the access point would not
 * recognise the repeat and the buyer could get the invoice twice. The clerk checks with the
 * provider; the decision is the one of a change of access point (Send anyway, or cancel).
 */
export function inDoubtHeld(why: 'key' | 'old'): Problem {
  const what =
    why === 'key'
      ? 'This invoice may already have reached the access point under the API key used before; the access point recognises a repeat only under the same key, so sending it with the new key could deliver it twice.'
      : 'This invoice may already have reached the access point more than a day ago; the access point recognises a repeat only for 24 hours, so sending it again now could deliver it twice.';
  return {
    code: ACCESS_POINT_CHANGED,
    message: `${what} Ask your provider whether it arrived: if it did, cancel it here; if not, choose Send anyway.`,
    action: 'decide',
  };
}
