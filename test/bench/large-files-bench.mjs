// What `peppol-desk validate` costs on ~10 MB files (issue 15, point 1: under 2 s and 300 MB),
// a whole CLI run each (start-up, worker, read, check, exit), measured by /usr/bin/time:
//   node scripts/build.mjs && node test/bench/large-files-bench.mjs [shape...]
// BENCH_RUNS runs per shape (default 3); prints the median wall time, the median CPU time
// (user + sys, every thread) and the largest RSS, with the load average: on a shared machine
// the wall time grows with the load, the CPU time much less. A benchmark, not a timed test.
// BENCH_CLIS=a/cli.cjs,b/cli.cjs compares builds (e.g. before and after a change): their runs
// alternate, so both meet the same load.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES, writeShapes } from './large-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const clis = (process.env.BENCH_CLIS ?? join(root, 'dist', 'cli.cjs')).split(',');
for (const cli of clis)
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`node scripts/build.mjs\` first.`);
if (!existsSync('/usr/bin/time')) throw new Error('This benchmark needs /usr/bin/time (GNU time).');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(SHAPES);
for (const n of names) if (!(n in SHAPES)) throw new Error(`Unknown shape ${n}.`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** One `validate` run: wall s, CPU s, max RSS MB and the line it printed. */
function once(cli, file) {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'TIME %e %U %S %M', process.execPath, cli, 'validate', file],
    { encoding: 'utf8' },
  );
  // Exit code 3: the file is invalid; the figures are there all the same.
  if (r.status !== 0 && r.status !== 3) throw new Error(`validate failed:\n${r.stdout}${r.stderr}`);
  return parse(r.stdout, r.stderr);
}

function parse(stdout, stderr) {
  const text = `${stdout}\n${stderr}`;
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(text);
  if (m === null) throw new Error(`No timing in:\n${text}`);
  const verdict = stdout.split('\n').find((l) => /^(valid|INVALID)/.test(l)) ?? '?';
  return {
    wall: Number(m[1]),
    cpu: Number(m[2]) + Number(m[3]),
    rssMb: Number(m[4]) / 1024,
    verdict: verdict.replace(/\s+\S*\.xml/, '').slice(0, 70),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'pd-large-'));
try {
  const files = writeShapes(dir, names);
  console.log(
    `# validate, ${runs} runs each; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`,
  );
  console.log(`# load average at start: ${load()}`);
  clis.forEach((cli, i) => console.log(`# build ${i}: ${cli}`));
  console.log(
    'shape      build   MB     wall s (median, all)     CPU s (median)  max RSS MB  verdict',
  );
  const worst = clis.map(() => 0);
  for (const name of names) {
    const rs = clis.map(() => []);
    for (let k = 0; k < runs; k++) clis.forEach((cli, i) => rs[i].push(once(cli, files[name])));
    const mb = (statSync(files[name]).size / 1e6).toFixed(1);
    clis.forEach((_, i) => {
      const wall = median(rs[i].map((r) => r.wall));
      const cpu = median(rs[i].map((r) => r.cpu));
      const rss = Math.max(...rs[i].map((r) => r.rssMb));
      worst[i] = Math.max(worst[i], wall);
      console.log(
        `${name.padEnd(11)} ${String(i).padStart(4)} ${mb.padStart(5)}  ${wall.toFixed(2).padStart(6)} (${rs[i].map((r) => r.wall.toFixed(2)).join(' ')})  ${cpu.toFixed(2).padStart(8)}        ${rss.toFixed(0).padStart(6)}      ${rs[i][0].verdict}`,
      );
    });
  }
  console.log(
    `# load average at end: ${load()}; slowest median wall: ${worst.map((w, i) => `build ${i} ${w.toFixed(2)} s`).join(', ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
