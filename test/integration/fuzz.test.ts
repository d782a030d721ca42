import { describe, expect, it } from 'vitest';
import { checkDocument } from '../../app/validation/index';
import { KINDS, mutants } from '../helpers/fuzz-mutations.mjs';
import { SAMPLE_INVOICE } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';
import { engineInternals } from '../../app/engine/internals';

const engines = useEngines();
/** Words a clerk never needs to see: exception names and stack frames. */
const RAW = /\b(?:TypeError|RangeError|SyntaxError|ReferenceError|URIError)\b|\n\s+at /;

describe('fuzz (a bounded, deterministic sample; test/bench/fuzz.mjs runs 10,000 at full size)', () => {
  const files = [...mutants(SAMPLE_INVOICE, 124, 42, 0.05)];

  it('covers every kind of mutation', () => {
    expect(new Set(files.map((f) => f.kind))).toEqual(new Set(KINDS));
  });

  it('validate: every file gets a verdict or a plain error, nothing throws', () => {
    for (const f of files) {
      const res = checkDocument(f.bytes);
      if (res.ok) {
        expect(typeof res.verdict.valid).toBe('boolean');
        for (const x of res.verdict.findings) expect(x.message).not.toMatch(RAW);
      } else {
        expect([f.name, res.error.message.length > 20]).toEqual([f.name, true]);
        expect(res.error.message).not.toMatch(RAW);
      }
    }
  });

  it('send: every file ends accepted, or refused or stopped with plain words', async () => {
    const engine = await engines({ trackDelivery: false });
    const sample = files.filter((_, i) => i % 3 === 0);
    const res = await engine.handlers['documents:add']({
      files: sample.map((f) => ({ name: f.name, bytes: f.bytes })),
    });
    for (const r of res.rejected) expect(r.message).not.toMatch(RAW);
    const ids = [...res.added, ...res.known].map((a) => a.id);
    expect(ids.length + res.rejected.length).toBe(sample.length);
    await engine.waitUntilSettled(ids, { includeAccepted: true });
    for (const id of ids) {
      const doc = engineInternals(engine).repo.get(id)!;
      if (doc.state === 'accepted') continue;
      expect([doc.file_name, doc.state]).toEqual([
        doc.file_name,
        expect.stringMatching(/invalid|held|unreachable|failed/),
      ]);
      expect(doc.problem_message ?? '').not.toBe('');
      expect(doc.problem_message).not.toMatch(RAW);
    }
  }, 240_000);
});
