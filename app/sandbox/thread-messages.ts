/** What the built-in sandbox's thread and the engine tell each other (thread.ts, thread-entry.ts). */
import type { SandboxOptions } from './types';

/** The options a sandbox thread starts with (only what can cross to a thread: no clock). */
export type SandboxThreadOptions = Pick<SandboxOptions, 'latencyMs' | 'transactionStepMs'>;

/** A message from the sandbox's thread: listening, could not start, or closed. */
export type SandboxThreadMessage =
  { ready: { url: string; port: number } } | { failed: string } | { closed: true };
