// `npm start`: the Electron window where the Electron binary is installed; otherwise the same
// renderer and engine served on http://127.0.0.1 (the browser host), printing the URL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  if (process.env.PEPPOL_DESK_BROWSER === '1') return null;
  try {
    // The electron package exports the path of its binary, or throws when it was not downloaded.
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
const child = electron
  ? spawn(electron, [join(root, 'dist/main.cjs'), ...args], { stdio: 'inherit' })
  : spawn(process.execPath, [join(root, 'dist/cli.cjs'), 'serve', '--open', ...args], {
      stdio: 'inherit',
    });
if (!electron) {
  console.log('Electron is not installed here: starting the browser host instead.');
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
