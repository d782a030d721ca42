/**
 * The access point's own check may say "not valid" as an error (400 or 422, both documented)
 * instead of `{valid: false}`: the client reads it as that verdict, its errors from `details`
 * (a list or a string).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { verdictOfRefusal } from '../../app/access-point/answers';
import { startDocAccessPoint, type DocAccessPoint } from '../helpers/doc-access-point.mjs';

const open: { ap: DocAccessPoint; client: AccessPointClient }[] = [];
afterEach(async () => {
  for (const { ap, client } of open.splice(0)) {
    await client.close();
    await ap.close();
  }
});

describe("the access point's check answered as an error", () => {
  it('reads a 422 as not valid, with the rules it names', async () => {
    const ap = await startDocAccessPoint({ validateFails: () => true });
    const client = new AccessPointClient({ baseUrl: ap.url, apiKey: ap.apiKey });
    open.push({ ap, client });
    const outcome = await client.validate(new TextEncoder().encode('<Invoice/>'));
    expect(outcome).toEqual({
      kind: 'ok',
      status: 422,
      value: {
        valid: false,
        errors: [
          {
            rule: 'PEPPOL-EN16931-R001',
            location: '/Invoice',
            message: 'Business process MUST be provided.',
          },
        ],
        warnings: [],
      },
    });
  });

  it('takes details given as a string, or the error itself when it gives none', () => {
    const base = { status: 422, code: 'VALIDATION_FAILED', message: 'The document is not valid' };
    expect(verdictOfRefusal({ ...base, details: 'BR-CO-10 failed' }).errors).toEqual([
      {
        rule: 'VALIDATION_FAILED',
        location: '',
        message: 'The document is not valid: BR-CO-10 failed',
      },
    ]);
    expect(verdictOfRefusal({ ...base, details: [] }).errors).toEqual([
      { rule: 'VALIDATION_FAILED', location: '', message: 'The document is not valid' },
    ]);
  });
});
