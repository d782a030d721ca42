/**
 * The one Content-Security-Policy of the app: our own scripts only, no plug-ins, no framing, no
 * forms posting anywhere, no <base> tricks. Electron sends it as a header on every response
 * (main/window.ts and the app:// protocol), the browser host on every page, and the Vite build writes it into
 * index.html's meta tag (a second line of defence), so the three cannot drift apart. The directives live
 * in csp-directives.json so the Vite config reads them without loading TypeScript.
 */
import directives from './csp-directives.json';

/** Every directive, in order. */
export const CSP_DIRECTIVES: readonly string[] = directives;

/** The policy as a header value. */
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.join('; ');

/** The policy for a `<meta http-equiv>` tag: browsers ignore frame-ancestors there (header only). */
export const META_CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.filter(
  (d) => !d.startsWith('frame-ancestors'),
).join('; ');

/** The placeholder in renderer/index.html that the build replaces with the meta policy. */
export const CSP_PLACEHOLDER = '%PEPPOL_DESK_CSP%';
