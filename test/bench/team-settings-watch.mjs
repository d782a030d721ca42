// What the SQLite team file's watcher adds per commit it sees (app/team/sqlite/sqlite-listen.ts):
// one read of the shared settings' rows (the same statement) and their signature, so that a
// change of the team's settings reaches the desk at once. At most one per 250 ms poll per desk.
//   node test/bench/team-settings-watch.mjs [--reads 20000]
// Prints wall and this process's CPU µs per read, five rounds.
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
const read = db
  .prepare(
    `SELECT key, value, updated_by, updated_at FROM team_settings
      WHERE key LIKE 'setting.%' ORDER BY key`,
  )
  .raw();
for (let round = 1; round <= 5; round++) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let signature = '';
  for (let n = 0; n < READS; n++) signature = JSON.stringify(read.all());
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  console.log(
    `round ${round}: ${((wall * 1000) / READS).toFixed(1)} µs wall, ${((used.user + used.system) / READS).toFixed(1)} µs CPU per read (${signature.length} characters)`,
  );
}
