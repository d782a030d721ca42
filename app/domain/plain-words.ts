// Pure: what a clerk may read as it is (the renderer and the engine judge it the same way).

/**
 * True when the access point's message is a sentence a clerk can read. A JSON or HTML body, a
 * bare "HTTP 500", an errno or a long dump is left out of the clerk's message: it stays in the
 * timeline entry of the failure, shown under "Show technical details".
 */
export function readsAsWords(message: string | null | undefined): message is string {
  if (!message) return false;
  const m = message.trim();
  return (
    m.length > 0 &&
    m.length <= 200 &&
    !/[{}<>[\]]/.test(m) &&
    !/^HTTP[ _]?\d{3}$/i.test(m) &&
    !/\bE[A-Z]{3,}\b/.test(m) &&
    !/\bUND_ERR/.test(m) &&
    // XPath or namespace prefixes (/Invoice/cac:..., cbc:ID), a stack frame, an id or key (UUID).
    !/\b(?:cac|cbc|ubl|ext):|\/[A-Za-z]+\/|\bat \S+ \(|:\d+:\d+\b/.test(m) &&
    !/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(m) &&
    /[a-z]{2,}/i.test(m)
  );
}
