import { describe, expect, it } from 'vitest';
import { accessPointAddressLabel, accessPointLabel } from '../../app/contract';

describe('accessPointLabel', () => {
  it('names a provider by its host and environment, the built-in Sandbox by name', () => {
    expect(accessPointLabel('https://app.goroute.ai/peppol-api', 'production')).toBe(
      'app.goroute.ai (Production)',
    );
    expect(accessPointLabel('sandbox', 'sandbox')).toBe('the built-in Sandbox');
    expect(accessPointLabel(null, null)).toBe('an unknown access point');
  });

  // Walk 24b: "queued for 127.0.0.1:18020 (Test), not 127.0.0.1:18020 (Test)".
  it('beside another address of the same host and environment, shows the paths that tell them apart', () => {
    const right = {
      accessPoint: 'http://127.0.0.1:18020/peppol-api',
      environment: 'test' as const,
    };
    const wrong = { accessPoint: 'http://127.0.0.1:18020', environment: 'test' as const };
    expect(accessPointLabel(wrong.accessPoint, wrong.environment, right)).toBe(
      '127.0.0.1:18020/ (Test)',
    );
    expect(accessPointLabel(right.accessPoint, right.environment, wrong)).toBe(
      '127.0.0.1:18020/peppol-api (Test)',
    );
  });

  it('keeps the short name beside another host, another environment or the same address', () => {
    const here = 'https://app.goroute.ai/peppol-api';
    expect(
      accessPointLabel(here, 'test', {
        accessPoint: 'https://other.example/api',
        environment: 'test',
      }),
    ).toBe('app.goroute.ai (Test)');
    expect(
      accessPointLabel(here, 'test', {
        accessPoint: 'https://app.goroute.ai/v2',
        environment: 'production',
      }),
    ).toBe('app.goroute.ai (Test)');
    expect(accessPointLabel(here, 'test', { accessPoint: here, environment: 'test' })).toBe(
      'app.goroute.ai (Test)',
    );
  });

  // Walk 25b N2: the details' "Sent through 127.0.0.1:P (Test)" read like the wrong URL.
  it("by its whole address, in a document's details", () => {
    expect(accessPointAddressLabel('http://127.0.0.1:18020/peppol-api', 'test')).toBe(
      '127.0.0.1:18020/peppol-api (Test)',
    );
    expect(accessPointAddressLabel('https://ap.example', 'production')).toBe(
      'ap.example/ (Production)',
    );
    expect(accessPointAddressLabel('sandbox', 'sandbox')).toBe('the built-in Sandbox');
  });
});
