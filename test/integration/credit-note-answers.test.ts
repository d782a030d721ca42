import { describe, expect, it } from 'vitest';
import type { DocumentState } from '../../app/contract';
import type { Engine } from '../../app/engine';
import { engineInternals } from '../../app/engine/internals';
import { makeCreditNote, makeInvoice } from '../helpers/invoices';
import { useEngines } from '../helpers/engine';

// A rejected invoice stayed in Needs attention after the credit note the app advises was sent,
// until the clerk marked it handled by hand (left by the last two notes). A document that names
// it as its preceding invoice (BT-25) and goes out to the same buyer now deals with it: on a
// single desk. `9915:respond-re-invoices` is a sandbox buyer that rejects invoices and takes
// credit notes without an answer.

const BUYER = '9915:respond-re-invoices';

const engines = useEngines();

function engine(): Promise<Engine> {
  return engines({
    dataDir: engines.tempDir(),
    sandboxStepMs: 20,
    timings: { pollInitialMs: 30, pollMaxMs: 100 },
  });
}

async function add(e: Engine, files: { name: string; bytes: Uint8Array }[]): Promise<number[]> {
  return (await e.handlers['documents:add']({ files })).added.map((a) => a.id);
}

async function until(e: Engine, id: number, state: DocumentState) {
  await expect.poll(() => engineInternals(e).repo.get(id)?.state, { timeout: 10_000 }).toBe(state);
}

const attention = async (e: Engine) =>
  (await e.handlers['documents:list']({ filter: 'attention', limit: 50 })).rows.map((r) => r.id);

describe('a credit note or corrected invoice that goes out deals with the invoice it names', () => {
  it('a rejected invoice leaves Needs attention once its credit note is accepted; both timelines link', async () => {
    const e = await engine();
    const [inv] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-A-1', { receiver: BUYER }) },
    ]);
    await until(e, inv!, 'rejected');
    expect(await attention(e)).toEqual([inv]);

    const [cn] = await add(e, [
      {
        name: 'cn.xml',
        bytes: makeCreditNote('CN-A-CN', { forInvoices: ['CN-A-1'], receiver: BUYER }),
      },
    ]);
    await until(e, cn!, 'delivered');
    await until(e, inv!, 'handled');
    expect(await attention(e)).toEqual([]);
    const d = await e.handlers['documents:get']({ id: inv! });
    expect(d.businessResponse).toBe('RE');
    expect(d.timeline.at(-1)).toMatchObject({
      from: 'rejected',
      to: 'handled',
      detail: `Credit note CN-A-CN (document #${cn}) was sent for it: out of Needs attention`,
    });
    const c = await e.handlers['documents:get']({ id: cn! });
    expect(c.timeline.map((t) => t.detail)).toContain(
      `Refers to invoice CN-A-1 (document #${inv}), which the buyer rejected: that one is out of Needs attention`,
    );
    // Undo stays the clerk's: back in Needs attention.
    expect(await e.handlers['documents:markHandled']({ ids: [inv!], handled: false })).toEqual({
      changed: 1,
    });
    expect(await attention(e)).toEqual([inv]);
  });

  it('a credit note the buyer then rejects too: the invoice it dealt with says so on its timeline', async () => {
    // Walk 10: the invoice kept reading as dealt with by a credit note the buyer had rejected.
    const e = await engine();
    const [inv] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-R-1', { receiver: '9915:respond-re' }) },
    ]);
    await until(e, inv!, 'rejected');
    const [cn] = await add(e, [
      {
        name: 'cn.xml',
        bytes: makeCreditNote('CN-R-CN', { forInvoices: ['CN-R-1'], receiver: '9915:respond-re' }),
      },
    ]);
    await until(e, cn!, 'rejected');
    await until(e, inv!, 'handled');
    // The credit note is what needs the clerk now; the invoice says why it is not done.
    expect(await attention(e)).toEqual([cn]);
    const d = await e.handlers['documents:get']({ id: inv! });
    expect(d.timeline.at(-1)?.detail).toBe(
      `Credit note CN-R-CN (document #${cn}), sent for this invoice, was then rejected by the buyer: deal with it in Needs attention`,
    );
  });

  it('a credit note that then fails at delivery: the invoice it dealt with says so too', async () => {
    const e = await engine();
    const [inv] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-F-1', { receiver: BUYER }) },
    ]);
    await until(e, inv!, 'rejected');
    // The buyer's access point then fails what it is sent (the sandbox's `deliveryFails`).
    engineInternals(e).sandbox!.setFaults({ deliveryFails: { every: 1 } });
    const [cn] = await add(e, [
      {
        name: 'cn.xml',
        bytes: makeCreditNote('CN-F-CN', { forInvoices: ['CN-F-1'], receiver: BUYER }),
      },
    ]);
    await until(e, cn!, 'failed');
    expect(await attention(e)).toEqual([cn]);
    const d = await e.handlers['documents:get']({ id: inv! });
    expect(d.timeline.at(-1)?.detail).toBe(
      `Credit note CN-F-CN (document #${cn}), sent for this invoice, then failed at delivery: deal with it in Needs attention`,
    );
  });

  it('a queried invoice: a corrected invoice with a new number naming it does the same', async () => {
    const e = await engine();
    const [inv] = await add(e, [
      { name: 'q.xml', bytes: makeInvoice('CN-B-1', { receiver: '9915:respond-uq' }) },
    ]);
    await until(e, inv!, 'under_query');
    const fixed = new TextDecoder()
      .decode(makeInvoice('CN-B-2', { receiver: '9915:respond-uq' }))
      .replace(
        '</cbc:BuyerReference>',
        '</cbc:BuyerReference><cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>CN-B-1</cbc:ID></cac:InvoiceDocumentReference></cac:BillingReference>',
      );
    const [by] = await add(e, [{ name: 'fixed.xml', bytes: new TextEncoder().encode(fixed) }]);
    await until(e, inv!, 'handled');
    const d = await e.handlers['documents:get']({ id: inv! });
    expect(d.timeline.at(-1)?.detail).toBe(
      `Invoice CN-B-2 (document #${by}), which refers to it, was sent: out of Needs attention`,
    );
  });

  it('a credit note sent before the rejection came: the rejection is shown, and dealt with at once', async () => {
    const e = await engine();
    const [inv, cn] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-C-1', { receiver: BUYER }) },
      {
        name: 'cn.xml',
        bytes: makeCreditNote('CN-C-CN', { forInvoices: ['CN-C-1'], receiver: BUYER }),
      },
    ]);
    await until(e, cn!, 'delivered');
    await until(e, inv!, 'handled');
    const d = await e.handlers['documents:get']({ id: inv! });
    const last = d.timeline.slice(-2);
    expect(last[0]).toMatchObject({ to: 'rejected' });
    expect(last[1]).toMatchObject({
      from: 'rejected',
      to: 'handled',
      detail: `Credit note CN-C-CN (document #${cn}) had already been sent for it: out of Needs attention`,
    });
    expect(await attention(e)).toEqual([]);
  });

  it('a credit note to another buyer sent before the rejection came: the rejection stays', async () => {
    const e = await engine();
    const [inv, cn] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-E-1', { receiver: BUYER }) },
      { name: 'cn.xml', bytes: makeCreditNote('CN-E-CN', { forInvoices: ['CN-E-1'] }) },
    ]);
    await until(e, cn!, 'delivered');
    await until(e, inv!, 'rejected');
    expect(await attention(e)).toEqual([inv]);
    const d = await e.handlers['documents:get']({ id: inv! });
    expect(d.timeline.map((t) => t.detail).join('\n')).not.toContain('CN-E-CN');
  });

  it('another seller’s credit note with the same number, one to another buyer, or one not sent, leaves it in Needs attention', async () => {
    const e = await engine();
    const [inv] = await add(e, [
      { name: 'inv.xml', bytes: makeInvoice('CN-D-1', { receiver: BUYER }) },
    ]);
    await until(e, inv!, 'rejected');
    const [other, elsewhere, unsent] = await add(e, [
      {
        name: 'other.xml',
        bytes: makeCreditNote('CN-D-CN', {
          forInvoices: ['CN-D-1'],
          seller: '0234567873',
          receiver: BUYER,
        }),
      },
      {
        // Walk 12: a credit note to another buyer naming the same number took it out.
        name: 'elsewhere.xml',
        bytes: makeCreditNote('CN-D-CN3', { forInvoices: ['CN-D-1'] }),
      },
      {
        name: 'unsent.xml',
        bytes: makeCreditNote('CN-D-CN2', {
          forInvoices: ['CN-D-1'],
          receiver: '9915:not-registered',
        }),
      },
    ]);
    await until(e, other!, 'delivered');
    await until(e, elsewhere!, 'delivered');
    await until(e, unsent!, 'unreachable');
    expect(engineInternals(e).repo.get(inv!)?.state).toBe('rejected');
    expect(await attention(e)).toEqual(expect.arrayContaining([inv, unsent]));
  });
});
