/** `peppol-desk serve`: the browser host (the app without Electron). */
import type { Command } from 'commander';
import { join } from 'node:path';
import { keyFileSecretStore } from '../secrets/key-file';
import { positiveInt, STORE_HELP } from './common';
import { dataDirOf, DIST_DIR, engineOptions } from './engine-options';

interface ServeOptions {
  port?: number;
  dataDir?: string;
  endpoint?: string;
  latencyMs?: number;
  open?: boolean;
  store?: string;
}

async function serveCommand(opts: ServeOptions): Promise<void> {
  const dataDir = dataDirOf(opts);
  const [{ openEngineSwitch }, { startBrowserHost }] = await Promise.all([
    import('../host/engine-switch'),
    import('../host/browser-host'),
  ]);
  // The app's own key store: the key (and a team outbox's URL) is set in the page, never from
  // flags or the environment. The switch opens the team outbox kept there, or the one given with
  // --store / PEPPOL_DESK_STORE (which the page then cannot change).
  const engine = await openEngineSwitch(
    engineOptions(opts, dataDir, {
      secrets: keyFileSecretStore(dataDir),
      host: 'browser',
      // The hot folder's pick-ups, moves and refusals (the page shows the refusals too).
      log: (line) => process.stdout.write(`${line}\n`),
    }),
  );
  const host = await startBrowserHost({
    engine,
    rendererDir: join(DIST_DIR, 'renderer'),
    port: opts.port ?? 0,
  });
  // Ready for Ctrl+C before saying it runs: a stop right after the first line is a clean one.
  const shutdown = async () => {
    // Walk 22: Ctrl+C with invoices in flight ended without a word while it waited for them.
    process.stdout.write('Stopping: the invoices being sent now are answered first…\n');
    await host.close();
    await engine.stop();
    process.stdout.write(
      'Stopped. What was still waiting is sent when Peppol Desk starts again.\n',
    );
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  // Walk 22: after a provider was set, the start line no longer said where invoices go.
  // What the key selects, said as that (walk 24: an address that had answered nothing was
  // called "the provider's test environment").
  const settings = engine.usesBuiltInSandbox
    ? null
    : await engine.handlers['settings:get'](undefined);
  const keyWords = !settings
    ? ''
    : !settings.apiKeySet
      ? ': no API key yet, enter it in Settings'
      : settings.environment === 'production'
        ? ': the API key is a production key, so invoices go to real buyers'
        : ': the API key is a test key, so no real buyer receives these';
  const label = settings
    ? ` (access point ${engine.endpoint}${keyWords})`
    : ' (SANDBOX access point: nothing leaves this machine)';
  process.stdout.write(`Peppol Desk is running at ${host.url}${label}\n`);
  process.stdout.write(`Data folder: ${dataDir}\n`);
  // Walk 10: with PEPPOL_DESK_API_KEY set, the page looked as if a key were in use; none was sent.
  if (process.env.PEPPOL_DESK_API_KEY?.trim())
    process.stderr.write(
      'Note: PEPPOL_DESK_API_KEY is not used here: the app sends with the API key entered in its Settings (kept in the data folder).\n',
    );
  if (engine.teamLabel) process.stdout.write(`Team outbox: ${engine.teamLabel}\n`);
  if (engine.teamProblem) process.stderr.write(`${engine.teamProblem}\n`);
  if (opts.open) openBrowser(host.url);
}

function openBrowser(url: string): void {
  const cmd =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  void import('node:child_process').then(({ spawn }) => {
    try {
      const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
      child.on('error', () => undefined);
      child.unref();
    } catch {
      // No browser opener: the URL is printed above.
    }
  });
}

/** Registers `serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the app in your browser (used when Electron is not installed).')
    .option('--port <port>', 'port on 127.0.0.1 (0 = any free port)', positiveInt)
    .option('--data-dir <dir>', 'data folder')
    .option('--endpoint <url>', 'provider base URL')
    .option('--latency-ms <ms>', 'added latency of the built-in sandbox', positiveInt)
    .option('--open', 'open the page in the default browser')
    .option('--store <url>', STORE_HELP)
    .action(serveCommand);
}
