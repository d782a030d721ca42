import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The `key: true|false` lines of one top-level block of electron-builder.yml. */
function yamlBlock(text: string, name: string): Record<string, boolean> {
  const lines = text.split('\n');
  const start = lines.indexOf(`${name}:`);
  const out: Record<string, boolean> = {};
  for (const line of lines.slice(start + 1)) {
    if (!/^\s/.test(line) && line.trim() !== '') break;
    const m = /^\s+(\w+):\s*(true|false)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2] === 'true';
  }
  return out;
}

describe('electron-builder.yml', () => {
  it('flips the fuses that close the doors an installed app does not use', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'electron-builder.yml'), 'utf8');
    expect(text).toMatch(/^asar: true$/m);
    expect(yamlBlock(text, 'electronFuses')).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
