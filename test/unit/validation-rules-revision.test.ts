import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_FINGERPRINT, RULES_REVISION } from '../../app/validation/version';

const VALIDATION_DIR = join(__dirname, '..', '..', 'app', 'validation');
/** Sources that cannot change a verdict or a summary (plumbing, the version file itself). */
const NOT_RULES = new Set([
  'bench.ts',
  'index.ts',
  'pool.ts',
  'version.ts',
  'warm-up.ts',
  'worker.ts',
  'worker-start.ts',
]);

/** sha256 over every validation source that decides verdicts and summaries, in a fixed order. */
function rulesFingerprint(): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(VALIDATION_DIR).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f)),
    ...readdirSync(join(VALIDATION_DIR, 'rules'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `rules/${f}`),
    // The business terms our structure checks name elements with (their messages are cached).
    '../domain/business-terms.ts',
    // How a file's bytes become characters (an encoding mismatch is refused).
    '../domain/xml-encoding.ts',
    // How the summary's text shows invisible characters.
    '../domain/visible-text.ts',
    // The words of a file over the size limit (intake's verdict).
    '../domain/too-large.ts',
  ].sort();
  for (const f of files) {
    hash.update(`${f}\n`);
    hash.update(readFileSync(join(VALIDATION_DIR, f), 'utf8').replace(/\r\n/g, '\n'));
  }
  return hash.digest('hex');
}

describe('rules revision', () => {
  it('is bumped whenever the rules, structural checks or summary change', () => {
    // On failure: you changed how documents are judged or summarised. Increase RULES_REVISION in
    // app/validation/version.ts (so verdicts cached by the old code are not reused) and set
    // RULES_FINGERPRINT to the value printed here.
    expect(
      RULES_FINGERPRINT,
      `validation sources changed: bump RULES_REVISION (now ${RULES_REVISION}) and set RULES_FINGERPRINT to ${rulesFingerprint()}`,
    ).toBe(rulesFingerprint());
  });
});
