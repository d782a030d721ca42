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
