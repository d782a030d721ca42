import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  CSP_PLACEHOLDER,
  META_CONTENT_SECURITY_POLICY,
} from '../../app/host/csp';
import { CONTENT_SECURITY_POLICY as ELECTRON_POLICY } from '../../main/window';
import { distFile, ROOT } from '../helpers/dist';

function metaPolicy(html: string): string | null {
  return /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1] ?? null;
}

describe('Content-Security-Policy', () => {
  it('is one policy: Electron header, browser host header and the built meta tag agree', () => {
    expect(ELECTRON_POLICY).toBe(CONTENT_SECURITY_POLICY);
    const built = readFileSync(distFile('renderer/index.html'), 'utf8');
    expect(metaPolicy(built)).toBe(META_CONTENT_SECURITY_POLICY);
    // The source carries only the placeholder, never a second copy of the rules.
    const source = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    expect(metaPolicy(source)).toBe(CSP_PLACEHOLDER);
  });

  it('the meta policy has every rule of the header except frame-ancestors (header only)', () => {
    for (const rule of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      expect(META_CONTENT_SECURITY_POLICY).toContain(rule);
    }
    expect(META_CONTENT_SECURITY_POLICY).not.toContain('frame-ancestors');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });
});
