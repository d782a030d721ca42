/** `peppol-desk sandbox`: the sandbox access point on its own. */
import type { Command } from 'commander';
import { positiveInt } from './common';

/** Registers `sandbox`. */
export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('Run the sandbox access point on its own.')
    .option('--port <port>', 'port', positiveInt, 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--latency-ms <ms>', 'added latency per request', positiveInt, 0)
    .option('--rate <r>', 'requests per second before answering 429', positiveInt)
    .option('--step-ms <ms>', 'time between transaction states', positiveInt)
    .action(
      async (opts: {
        port: number;
        host: string;
        latencyMs: number;
        rate?: number;
        stepMs?: number;
      }) => {
        const { runSandboxCommand } = await import('../sandbox/standalone');
        await runSandboxCommand(opts);
      },
    );
}
