/**
 * Differential test driver: generates documents (generator.ts), judges each with our validator
 * (checkDocument) and with the official-rules oracle found at $PEPPOL_DESK_ORACLE, and reports
 * whole-document agreement on the set of fatal rule ids, per rule set and per rule. Dev tool only
 * (see README.md); bundled and started by test/oracle/run.mjs.
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkDocument } from '../../app/validation/index';
import { generate, isCenRule } from './generator';

interface OracleModule {
  validate(xml: string): { fatal: string[]; warning: string[] };
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

async function main(): Promise<void> {
  const oracleDir = process.env.PEPPOL_DESK_ORACLE;
  if (!oracleDir)
    throw new Error('set PEPPOL_DESK_ORACLE to the oracle folder (e.g. /work/oracle)');
  const oracle = (await import(path.join(oracleDir, 'oracle.mjs'))) as OracleModule;
  const seed = Number(arg('seed', '1'));
  const count = Number(arg('count', '200'));
  const maxLines = Number(arg('max-lines', '5000'));
  const outDir = arg('out', path.join(oracleDir, 'runs', `seed-${seed}`));
  // Rules where the oracle itself is known not to reproduce the official results are left out.
  const untrustedFile = path.join(oracleDir, 'untrusted.json');
  const untrusted = new Set<string>(
    existsSync(untrustedFile) ? JSON.parse(readFileSync(untrustedFile, 'utf8')) : [],
  );
  mkdirSync(outDir, { recursive: true });
  const stats = { docs: 0, same: 0, cenSame: 0, peppolSame: 0, oracleErrors: 0 };
  const perRule = new Map<string, { oursOnly: number; oracleOnly: number; example: string }>();
  const t0 = Date.now();
  for (let i = 0; i < count; i++) {
    const doc = generate(seed, i, maxLines);
    const r = checkDocument(new TextEncoder().encode(doc.xml));
    const ours = new Set(
      r.ok
        ? r.verdict.findings
            .filter((f) => f.flag === 'fatal' && !f.rule.startsWith('XSD-'))
            .map((f) => f.rule)
        : [`INTAKE:${r.error.code}`],
    );
    let theirs: Set<string>;
    try {
      theirs = new Set(oracle.validate(doc.xml).fatal);
    } catch (e) {
      // A dynamic error in an official rule aborts the document (as it does in Saxon).
      stats.oracleErrors++;
      console.error(`${doc.name}: oracle error: ${String(e).slice(0, 200)}`);
      continue;
    }
    for (const u of untrusted) {
      ours.delete(u);
      theirs.delete(u);
    }
    stats.docs++;
    const diff = [...new Set([...ours, ...theirs])].filter((x) => ours.has(x) !== theirs.has(x));
    if (diff.length === 0) stats.same++;
    if (!diff.some(isCenRule)) stats.cenSame++;
    if (!diff.some((x) => !isCenRule(x))) stats.peppolSame++;
    for (const id of diff) {
      const e = perRule.get(id) ?? { oursOnly: 0, oracleOnly: 0, example: '' };
      if (ours.has(id)) e.oursOnly++;
      else e.oracleOnly++;
      if (!e.example) {
        e.example = path.join(outDir, `${id}-${doc.name}.xml`);
        writeFileSync(e.example, doc.xml);
      }
      perRule.set(id, e);
    }
    if ((i + 1) % 25 === 0) writeReport(false);
  }
  writeReport(true);
  function writeReport(final: boolean): void {
    const pct = (n: number) => ((100 * n) / stats.docs).toFixed(2) + '%';
    const report = {
      seed,
      documents: stats.docs,
      agreeAll: `${stats.same}/${stats.docs} (${pct(stats.same)})`,
      agreeEN16931: `${stats.cenSame}/${stats.docs} (${pct(stats.cenSame)})`,
      agreePeppol: `${stats.peppolSame}/${stats.docs} (${pct(stats.peppolSame)})`,
      excludedRules: [...untrusted].length,
      oracleErrors: stats.oracleErrors,
      seconds: Math.round((Date.now() - t0) / 1000),
      rules: Object.fromEntries(
        [...perRule.entries()].sort(
          (a, b) => b[1].oursOnly + b[1].oracleOnly - (a[1].oursOnly + a[1].oracleOnly),
        ),
      ),
    };
    // Written every 25 documents, so a long run can be read while it goes on.
    writeFileSync(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2));
    if (final) console.log(JSON.stringify(report, null, 2));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
