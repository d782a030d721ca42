// What `peppol-desk validate` costs on ~10 MB files (issue 15, point 1: under 2 s and 300 MB),
// a whole CLI run each (start-up, worker, read, check, exit), measured by /usr/bin/time:
//   node scripts/build.mjs && node test/bench/large-files-bench.mjs [shape...]
// BENCH_RUNS runs per shape (default 3); prints the median wall time, the median CPU time
// (user + sys, every thread) and the largest RSS, with the load average: on a shared machine
// the wall time grows with the load, the CPU time much less. A benchmark, not a timed test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES, writeShapes } from './large-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli.cjs');
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
function once(file) {
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
  console.log('shape       MB     wall s (median, all)     CPU s (median)  max RSS MB  verdict');
  let worst = 0;
  for (const name of names) {
    const rs = Array.from({ length: runs }, () => once(files[name]));
    const wall = median(rs.map((r) => r.wall));
    const cpu = median(rs.map((r) => r.cpu));
    const rss = Math.max(...rs.map((r) => r.rssMb));
    worst = Math.max(worst, wall);
    const mb = (statSync(files[name]).size / 1e6).toFixed(1);
    console.log(
      `${name.padEnd(11)} ${mb.padStart(4)}  ${wall.toFixed(2).padStart(6)} (${rs.map((r) => r.wall.toFixed(2)).join(' ')})  ${cpu.toFixed(2).padStart(8)}        ${rss.toFixed(0).padStart(6)}      ${rs[0].verdict}`,
    );
  }
  console.log(`# load average at end: ${load()}; slowest median wall ${worst.toFixed(2)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
