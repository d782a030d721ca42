import { readFileSync } from 'node:fs';
import type { RequestArg, RequestChannel, RequestResult, Result } from '../../../app/contract';
import { decodeWire, encodeWire, HOST_PATHS, TOKEN_HEADER } from '../../../app/host/wire';

/**
 * Calls the shared browser host from the test process (not from the page), as another window or
 * tool would: used where the page must not be the one that made the change.
 */
export async function invokeHost<C extends RequestChannel>(
  channel: C,
  arg: RequestArg<C>,
): Promise<RequestResult<C>> {
  const address = process.env.PEPPOL_DESK_URL;
  if (!address) throw new Error('PEPPOL_DESK_URL is not set: the global setup did not run.');
  const url = new URL(address);
  const token = url.searchParams.get('token') ?? '';
  const res = await fetch(`${url.origin}${HOST_PATHS.invoke}/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
    body: encodeWire(arg ?? null),
  });
  const result = decodeWire(await res.text()) as Result<RequestResult<C>>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** Adds files from disk through the host; returns how many were new. */
export async function addThroughHost(paths: string[]): Promise<number> {
  const files = paths.map((p) => ({
    name: p.split('/').pop()!,
    bytes: new Uint8Array(readFileSync(p)),
  }));
  return (await invokeHost('documents:add', { files })).added.length;
}
