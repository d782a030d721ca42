/**
 * Entry point of the sandbox as its own process (built to dist/sandbox.cjs). Options come from
 * argv or SANDBOX_* env (see parseSandboxArgs). Prints `SANDBOX_READY <url>` once listening.
 * With --watch-stdin it also stops when stdin closes, so it never outlives the parent that
 * spawned it with a pipe.
 */
import { parseSandboxArgs, runSandboxCommand } from './standalone';

async function main(): Promise<void> {
  const options = parseSandboxArgs(process.argv.slice(2), process.env);
  const sandbox = await runSandboxCommand(options);
  if (options.watchStdin) {
    process.stdin.on('end', () => void sandbox.close());
    process.stdin.resume();
    void sandbox.stopped.then(() => process.stdin.destroy());
  }
  process.stdout.write(`SANDBOX_READY ${sandbox.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exitCode = 1;
});
