/**
 * A run's figures (app/cli/summary.ts) when it waited for delivery: an invoice the access point
 * accepted whose delivery never came (tracking gave up, or a team no longer asks the access
 * point that accepted it) is counted apart and said, neither "sent" nor "failed" (walk 10: a
 * team's `send --wait-delivery` counted an accepted invoice as failed).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cliWords,
  NONE_LEFT_OUT,
  notSentCount,
  otherOutcomesWords,
  sayWhyNotSent,
  summarize,
  UNCONFIRMED_WORDS,
} from '../../app/cli/summary';
import type { DocumentBriefRow } from '../../app/contract';
import type { Engine } from '../../app/engine';

const row = (id: number, state: DocumentBriefRow['state'], problem?: [string, string]) => ({
  id,
  fileName: `f-${id}.xml`,
  state,
  problemCode: problem?.[0] ?? null,
  problemMessage: problem?.[1] ?? null,
});

const ROWS: DocumentBriefRow[] = [
  row(1, 'delivered'),
  row(2, 'accepted'),
  row(3, 'accepted', ['DELIVERY_UNCONFIRMED', 'The access point no longer knows it.']),
  row(4, 'failed', ['DELIVERY_FAILED', 'Delivery failed.']),
  row(5, 'rejected', ['BUYER_REJECTED', 'The buyer rejected it.']),
];

const engine = {
  handlers: {
    'documents:briefs': async ({ ids }: { ids: number[] }) => ({
      rows: ROWS.filter((r) => ids.includes(r.id)),
    }),
  },
} as unknown as Engine;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('summarize', () => {
  it('waited for delivery: accepted without delivery is counted apart, not as failed', async () => {
    const ids = ROWS.map((r) => r.id);
    const s = await summarize(engine, ids, NONE_LEFT_OUT, 1, true);
    expect(s).toMatchObject({
      total: 5,
      sent: 1,
      deliveryUnconfirmed: 2,
      failed: 1,
      rejected: 1,
    });
  });

  it('did not wait for delivery: accepted is sent', async () => {
    const s = await summarize(engine, [1, 2, 3], NONE_LEFT_OUT, 1, false);
    expect(s).toMatchObject({ total: 3, sent: 3, deliveryUnconfirmed: 0, failed: 0 });
  });

  it('says each unconfirmed one: its own reason when it has one, else that delivery is not confirmed', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    await summarize(engine, [1, 2, 3], NONE_LEFT_OUT, 1, true, sayWhyNotSent);
    expect(lines).toEqual([
      `f-2.xml (document #2): ${UNCONFIRMED_WORDS}\n`,
      'f-3.xml (document #3): The access point no longer knows it.\n',
    ]);
  });
});

describe('a row’s words on the command line', () => {
  it('tell a command-line user to send a fixed file again, not to drop it (walk 13)', () => {
    expect(
      cliWords(
        'Amount due is wrong (BR-CO-16). Fix the invoice in your accounting system and drop it again.',
      ),
    ).toBe(
      'Amount due is wrong (BR-CO-16). Fix the invoice in your accounting system and send it again.',
    );
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    sayWhyNotSent(row(6, 'invalid', ['RULES', 'Fix it and drop it again.']), 'invalid');
    expect(lines).toEqual(['f-6.xml (document #6): Fix it and send it again.\n']);
  });

  it('send a command-line user to `validate` for the whole list of findings (walk 25b N6)', () => {
    expect(
      cliWords(
        '3 problems found, including: Amount due is wrong (BR-CO-16). The details list them all. Fix the invoice in your accounting system and drop it again.',
        4,
      ),
    ).toBe(
      '3 problems found, including: Amount due is wrong (BR-CO-16). `peppol-desk validate <the file>` lists them all. Fix the invoice in your accounting system and send it again.',
    );
  });

  it('give the command, with the id, where the app says to choose one of its buttons (walk 23)', () => {
    expect(
      cliWords(
        'The access point refused this invoice (closed). Contact your access point provider as it asks; once they have cleared it, choose Retry.',
        12,
      ),
    ).toBe(
      'The access point refused this invoice (closed). Contact your access point provider as it asks; once they have cleared it, run `peppol-desk retry 12`.',
    );
    expect(
      cliWords(
        'Ask your provider whether it arrived: if it did, cancel it here; if not, choose Send anyway.',
        7,
      ),
    ).toBe(
      'Ask your provider whether it arrived: if it did, cancel it (`peppol-desk cancel 7`); if not, run `peppol-desk send-anyway 7`.',
    );
    expect(cliWords('To send it after all, open it and choose Retry.', 3)).toBe(
      'To send it after all, run `peppol-desk retry 3`.',
    );
    // A held one's decision (walk 23b: "Send it anyway only if …; otherwise cancel it").
    expect(
      cliWords(
        'Invoice X-1 from this seller was already added (document #4) with different content. Send it anyway only if this is meant as a separate invoice; otherwise cancel it.',
        9,
      ),
    ).toBe(
      'Invoice X-1 from this seller was already added (document #4) with different content. Send it anyway only if this is meant as a separate invoice; otherwise cancel it. Send it anyway: `peppol-desk send-anyway 9`; cancel it: `peppol-desk cancel 9`.',
    );
  });

  it('name a held document by its own id, for send-anyway and cancel (walk 14)', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const held = row(7, 'held', ['DUPLICATE', 'Invoice A-1 was already sent (document #3).']);
    sayWhyNotSent(held, 'duplicate');
    expect(lines).toEqual(['f-7.xml (document #7): Invoice A-1 was already sent (document #3).\n']);
  });

  // Walk 24: a file kept on a team desk while the team's database was away was named by its
  // spool number ("document #-167", `peppol-desk send-anyway -167`) after the team had given it
  // its own.
  it("name a team desk's file kept here meanwhile by the team's id", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const held = {
      ...row(-167, 'held', [
        'DUPLICATE',
        'Invoice A-1 was already sent: if it is meant, choose Send anyway.',
      ]),
      fileName: 'kept.xml',
      shownId: 5692,
    };
    sayWhyNotSent(held, 'duplicate');
    expect(lines).toEqual([
      'kept.xml (document #5692): Invoice A-1 was already sent: if it is meant, run `peppol-desk send-anyway 5692`.\n',
    ]);
  });
});

describe('the last line of retry, reroute and send-anyway', () => {
  it('names every outcome that is not nought, and a rejection by the buyer counts as not sent', async () => {
    // reroute said only "N sent, N failed" and exited 0 with an invoice the buyer rejected.
    const s = await summarize(engine, [1, 2, 3, 4, 5], NONE_LEFT_OUT, 0, true);
    expect(`${s.sent} sent, ${s.failed} failed${otherOutcomesWords(s)}`).toBe(
      '1 sent, 1 failed, 1 rejected by the buyer, 2 accepted but delivery not confirmed',
    );
    expect(notSentCount(s)).toBe(4);
    const rejectedOnly = await summarize(engine, [1, 5], NONE_LEFT_OUT, 0, true);
    expect(otherOutcomesWords(rejectedOnly)).toBe(', 1 rejected by the buyer');
    expect(notSentCount(rejectedOnly)).toBe(1);
    const allSent = await summarize(engine, [1, 2], NONE_LEFT_OUT, 0, false);
    expect(otherOutcomesWords(allSent)).toBe('');
    expect(notSentCount(allSent)).toBe(0);
  });
});
