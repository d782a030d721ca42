/**
 * The receiver lookup in the documented query form the provider takes: the docs give three
 * (`?peppol_id=`, `?scheme=&identifier=`, `?identifier=`) and a provider may understand only one,
 * answering 400 to the others. The client finds it and asks it first from then on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { startDocAccessPoint, type DocAccessPoint } from '../helpers/doc-access-point.mjs';

const LOOKUPS = 'GET /api/v1/participants/lookup';
const open: { ap: DocAccessPoint; client: AccessPointClient }[] = [];
afterEach(async () => {
  for (const { ap, client } of open.splice(0)) {
    await client.close();
    await ap.close();
  }
});

async function clientFor(lookupForm: 'peppol_id' | 'scheme-identifier' | 'identifier') {
  const ap = await startDocAccessPoint({ lookupForm, notFound: 'found-false' });
  const client = new AccessPointClient({ baseUrl: ap.url, apiKey: ap.apiKey });
  open.push({ ap, client });
  return { ap, client };
}

describe('receiver lookup query forms', () => {
  it.each(['peppol_id', 'scheme-identifier', 'identifier'] as const)(
    'finds a provider that takes only ?%s, and asks that form first from then on',
    async (form) => {
      const { ap, client } = await clientFor(form);
      const found = await client.lookup('9915:phase4-test-receiver');
      expect(found).toMatchObject({ kind: 'ok', value: { found: true } });
      const tried = ap.requests(LOOKUPS);
      expect(tried).toBe({ peppol_id: 1, 'scheme-identifier': 2, identifier: 3 }[form]);
      const missing = await client.lookup('9915:not-registered');
      expect(missing).toMatchObject({ kind: 'ok', value: { found: false } });
      expect(ap.requests(LOOKUPS)).toBe(tried + 1);
    },
  );

  it('answers the refusal when no form is understood, after asking each once', async () => {
    const { ap, client } = await clientFor('identifier');
    // An id without a scheme: the `identifier` form needs `scheme:value`, so all three fail.
    const outcome = await client.lookup('no-scheme');
    expect(outcome).toMatchObject({ kind: 'permanent', error: { status: 400 } });
    expect(ap.requests(LOOKUPS)).toBe(3);
  });

  it('asks once for an id it refuses, once it understood a form (a month-end of bad ids: not 3 each)', async () => {
    const { ap, client } = await clientFor('identifier');
    await client.lookup('9915:phase4-test-receiver');
    const before = ap.requests(LOOKUPS);
    const outcome = await client.lookup('no-scheme');
    expect(outcome).toMatchObject({ kind: 'permanent', error: { status: 400 } });
    expect(ap.requests(LOOKUPS)).toBe(before + 1);
    // The form it understands is still asked first.
    await client.lookup('9915:not-registered');
    expect(ap.requests(LOOKUPS)).toBe(before + 2);
  });
});
