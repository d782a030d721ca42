import type { Environment } from '../contract';

/**
 * The environment an API key selects, the one rule for the engine and the screen: no key → the
 * built-in Sandbox (or Test when an endpoint was given without a key), a key starting `sk_test_`
 * → Test, any other key → Production (the provider's production keys start `pk_goroute_`).
 */
export function environmentFor(
  apiKey: string | null | undefined,
  endpointGiven = false,
): Environment {
  const key = apiKey?.trim();
  if (!key) return endpointGiven ? 'test' : 'sandbox';
  return key.startsWith('sk_test_') ? 'test' : 'production';
}

/**
 * The environment an access point names in its version answer (`GET /peppol/version`,
 * `environment`), as the API key's environments: the provider's `sandbox` is where `sk_test_`
 * keys send (Test). Null for a word not known here (it is then shown as the access point says it).
 */
export function environmentNamed(word: string | null | undefined): 'test' | 'production' | null {
  const w = word?.trim().toLowerCase();
  if (!w) return null;
  if (['sandbox', 'test', 'testing', 'staging', 'demo', 'pilot', 'acceptance'].includes(w))
    return 'test';
  if (['production', 'prod', 'live'].includes(w)) return 'production';
  return null;
}

/** The environment word of a version answer (`GET /peppol/version`), trimmed; null when none. */
export function environmentWordOf(versionAnswer: unknown): string | null {
  const word = (versionAnswer as { environment?: unknown } | null)?.environment;
  return typeof word === 'string' && word.trim() ? word.trim() : null;
}

/**
 * Where documents sent now really go, as the access point names it (`word`, its version answer's),
 * to keep on each one it takes; null for the built-in Sandbox, or a word not known here.
 */
export function environmentSaid(
  keyEnvironment: Environment,
  word: string | null,
): 'test' | 'production' | null {
  return keyEnvironment === 'sandbox' ? null : environmentNamed(word);
}

/**
 * What the screen says when the access point names another environment than the API key seems
 * to select (the key's prefix is only a convention; the access point knows where invoices go).
 * Null when they agree, for the built-in Sandbox, or when the access point names none we know.
 */
export function environmentMismatch(
  keyEnvironment: Environment,
  accessPointWord: string | null | undefined,
  /** Where the key and address are changed: the app's Settings, or the CLI's options. */
  where: 'settings' | 'cli' = 'settings',
): { environment: 'test' | 'production'; short: string; long: string } | null {
  if (keyEnvironment === 'sandbox') return null;
  const named = environmentNamed(accessPointWord);
  if (!named || named === keyEnvironment) return null;
  const said = accessPointWord!.trim();
  // The CLI has no Settings (walk 9 finding 10): it names its own ways to give a key and address.
  const key = where === 'cli' ? ' (PEPPOL_DESK_API_KEY or --api-key-file)' : '';
  const inSettings = where === 'cli' ? '' : ' in Settings';
  const address = where === 'cli' ? 'the provider address (--endpoint)' : 'the provider address';
  if (named === 'production')
    return {
      environment: named,
      short: 'Access point says: Production — invoices reach real buyers',
      long: `The access point says it is its production environment ("${said}"): invoices sent now reach real buyers, although the API key looks like a Test key (keys starting sk_test_). If you meant to test, enter a Test key${key}${inSettings}.`,
    };
  return {
    environment: named,
    short: 'Access point says: Test — invoices do not reach buyers',
    long: `The access point says it is its test environment ("${said}"): invoices sent now do not reach real buyers, although the API key looks like a Production key. To send for real, check the key${key} and ${address}${inSettings}.`,
  };
}
