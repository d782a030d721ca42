/** Whether a send's 403 fails its invoice (re-exported by ./reachability). */

/**
 * A 403 for a document already answered 403 once (`seen`: the ids met so far, kept by the
 * sender): the hold the first one caused ended only when a probe was answered with this same key,
 * so this refusal is about the document (a seller or buyer this key may not send for), not the
 * key. The sender then fails it, as any final answer, instead of holding the whole queue again and
 * again (and never telling the clerk). A 401 is about authentication: always the key's.
 */
export function forbiddenAgain(
  seen: Set<number>,
  id: number,
  status: number,
  sendsRefused = false,
): boolean {
  // The account may not send (Reachability.sendsRefused): no invoice fails for it.
  if (status !== 403 || sendsRefused) return false;
  if (seen.delete(id)) return true;
  seen.add(id);
  return false;
}
