// What the SQLite team file's watcher adds per commit it sees (app/team/sqlite/sqlite-listen.ts):
// one read of the shared settings' and the access point's rows (the same statement) and their
// signatures, so that a change of the team's settings or access point reaches the desk at once. At most one per 250 ms poll per desk.
//   node test/bench/team-settings-watch.mjs [--reads 20000]
// Prints wall and this process's CPU µs per read, six rounds of both statements (before and now).
import Database from 'better-sqlite3';

const i = process.argv.indexOf('--reads');
const READS = i > 0 ? Number(process.argv[i + 1]) : 20_000;
const db = new Database(':memory:');
db.exec(`CREATE TABLE team_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL,
  updated_by TEXT, updated_at INTEGER NOT NULL)`);
const put = db.prepare('INSERT INTO team_settings VALUES (?, ?, ?, ?)');
// What a team's table holds: its access point, its label and the five shared settings.
for (const [k, v] of [
  ['access_point', '"0f3c…"'],
  ['access_point_label', '"app.example (Production)"'],
  ['setting.maxAttempts', '5'],
  ['setting.maxDocumentBytes', '10485760'],
  ['setting.lookupFoundTtlMs', '3600000'],
  ['setting.lookupNotFoundTtlMs', '300000'],
  ['setting.remoteValidation', 'false'],
])
  put.run(k, v, 'desk-1234', Date.now());
// Before: the shared settings' rows only. Now: the access point's two rows too (one read), each
// group with its own signature (a change of the team's access point reaches the desks at once).
const before = db
  .prepare(
    `SELECT key, value, updated_by, updated_at FROM team_settings
      WHERE key LIKE 'setting.%' ORDER BY key`,
  )
  .raw();
const now = db
  .prepare(
    `SELECT key, value, updated_by, updated_at FROM team_settings
      WHERE key LIKE 'setting.%' OR key IN ('access_point', 'access_point_label') ORDER BY key`,
  )
  .raw();
const variants = {
  'settings only': () => JSON.stringify(before.all()),
  'settings + access point': () => {
    const rows = now.all();
    const shared = rows.filter((r) => r[0].startsWith('setting.'));
    const ap = rows.filter((r) => !r[0].startsWith('setting.'));
    return JSON.stringify(shared) + JSON.stringify(ap);
  },
};
// A/B in the same run, the order alternating from round to round.
for (let round = 1; round <= 6; round++) {
  const names = Object.keys(variants);
  if (round % 2 === 0) names.reverse();
  for (const name of names) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let signature = '';
    for (let n = 0; n < READS; n++) signature = variants[name]();
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    console.log(
      `round ${round} ${name}: ${((wall * 1000) / READS).toFixed(1)} µs wall, ${((used.user + used.system) / READS).toFixed(1)} µs CPU per read (${signature.length} characters)`,
    );
  }
}
