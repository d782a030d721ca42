/**
 * `peppol-desk`: the command line, through the same engine handlers as the app. One file per
 * command; `engine-options.ts` is the one place flags and the environment become engine options.
 *   send <files or folders...>     add invoices and exit when every one is final
 *   validate <files or folders...> check locally (no network)
 *   list, retry, reroute, cancel, send-anyway   the documents in the data folder
 *   serve                          the browser host (the app without Electron)
 *   watch <folder>                 send what is saved into a folder, until Ctrl+C
 *   sandbox                        the sandbox access point on its own
 * Exit codes: 0 done; 1 not everything asked for happened (a document not sent, not cancelled,
 * left for another access point); 2 a usage error, or the command could not run; 3 `validate`
 * found an invalid file; 130 / 143 interrupted (Ctrl+C, SIGTERM) during `send`.
 */
import { Command } from 'commander';
import { registerCancel } from './cancel';
import { VERSION } from './engine-options';
import { registerList } from './list';
import { registerMarkHandled } from './mark-handled';
import { registerReroute } from './reroute';
import { registerRetry } from './retry';
import { registerSandbox } from './sandbox';
import { registerSend } from './send';
import { registerSendAnyway } from './send-anyway';
import { registerServe } from './serve';
import { registerValidate } from './validate';
import { registerWatch } from './watch';

export { collectFiles, type SkippedFile } from './files';
export { secretsFor } from './engine-options';

/** Build the command-line program (commands in the order `--help` lists them). */
export function buildProgram(): Command {
  const program = new Command('peppol-desk')
    .description('Send Peppol BIS Billing 3.0 invoices through your access point provider.')
    .version(VERSION);
  registerSend(program);
  registerList(program);
  registerRetry(program);
  registerReroute(program);
  registerCancel(program);
  registerSendAnyway(program);
  registerMarkHandled(program);
  registerValidate(program);
  registerWatch(program);
  registerServe(program);
  registerSandbox(program);
  return program;
}
