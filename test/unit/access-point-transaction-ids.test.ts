/**
 * Transaction ids as the docs give them: a detail names the transaction `id`, a list names it
 * `transaction_id` (an `id` beside it in a list may be the list's own row number). Delivery
 * tracking matches a list's answers to documents by this id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AccessPointClient } from '../../app/access-point/client';
import { startDocAccessPoint, type DocAccessPoint } from '../helpers/doc-access-point.mjs';
import { makeInvoice } from '../helpers/invoices';

const open: { ap: DocAccessPoint; client: AccessPointClient }[] = [];
afterEach(async () => {
  for (const { ap, client } of open.splice(0)) {
    await client.close();
    await ap.close();
  }
});

describe('transaction ids in lists and details', () => {
  it.each([false, true])(
    'reads the transaction_id of listed transactions (an id of the list beside it: %s)',
    async (listRowIds) => {
      const ap = await startDocAccessPoint({ listRowIds });
      const client = new AccessPointClient({ baseUrl: ap.url, apiKey: ap.apiKey });
      open.push({ ap, client });
      const sent: string[] = [];
      for (const n of ['IDS-1', 'IDS-2']) {
        const xml = makeInvoice(n, { receiver: '9915:phase4-test-receiver' });
        const outcome = await client.send(xml, `key-${n}`);
        expect(outcome.kind).toBe('ok');
        sent.push(outcome.kind === 'ok' ? outcome.value.transactionId : '');
      }
      const listed = await client.transactions(10);
      expect(listed.kind === 'ok' ? listed.value.map((t) => t.id).sort() : listed).toEqual(
        [...sent].sort(),
      );
      const detail = await client.transaction(sent[0]!);
      expect(detail.kind === 'ok' ? detail.value.id : detail).toBe(sent[0]);
    },
  );
});
