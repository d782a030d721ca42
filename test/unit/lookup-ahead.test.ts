import { afterEach, describe, expect, it } from 'vitest';
import type { AccessPointClient, ApOutcome } from '../../app/access-point/client';
import { NO_SUCH_ADDRESS } from '../../app/access-point/answers';
import { peekReceiver } from '../../app/domain/receiver-peek';
import { BUYER_NOT_CHECKED_NOWHERE_DETAIL } from '../../app/domain/lookup-words';
import { Pipeline, type Validator } from '../../app/queue/pipeline';
import { openDb } from '../../app/store/db';
import { DocumentsRepo } from '../../app/store/documents-repo';
import { checkDocument, type CheckResult } from '../../app/validation';
import { makeCreditNote, makeInvoice, SAMPLE_INVOICE } from '../helpers/invoices';
import { pipelineDeps } from '../helpers/pipeline-deps';
import { until } from '../helpers/wait';

const bytes = (xml: string) => new TextEncoder().encode(xml);
/** The buyer the checked summary names (what `receiver_id` is made of). */
const checkedBuyer = (b: Uint8Array) => {
  const r = checkDocument(b);
  if (!r.ok || !r.summary.buyerEndpoint) return null;
  const { scheme, value } = r.summary.buyerEndpoint;
  return `${scheme}:${value.toLowerCase()}`;
};

describe('peekReceiver (the buyer read from the bytes, unparsed)', () => {
  it('names the buyer the check names, for invoices and credit notes', () => {
    const files = [
      makeInvoice('A-1'),
      makeInvoice('A-2', { receiver: '0088:5790000435968' }),
      makeInvoice('A-3', { receiver: '9915:Phase4-Test-Receiver' }),
      makeCreditNote('C-1', { receiver: '0208:0987654394' }),
    ];
    const peeked = files.map(peekReceiver);
    expect(peeked).toEqual(files.map(checkedBuyer));
    expect(peeked).toEqual([
      '0208:0987654394',
      '0088:5790000435968',
      '9915:phase4-test-receiver',
      '0208:0987654394',
    ]);
  });

  it('reads other prefixes, a default namespace and single quotes', () => {
    const other = SAMPLE_INVOICE.replaceAll('cac:', 'a:').replaceAll('cbc:', 'b:');
    expect(peekReceiver(bytes(other))).toBe('0208:0987654394');
    const plain = SAMPLE_INVOICE.replaceAll('cac:', '')
      .replaceAll('cbc:', '')
      .replace('schemeID="0208">0987654394', "schemeID='0208'>0987654394");
    expect(peekReceiver(bytes(plain))).toBe('0208:0987654394');
  });

  it('guesses nothing when the buyer is not plainly there', () => {
    // No customer party at all.
    expect(peekReceiver(bytes('<Invoice><cbc:ID>1</cbc:ID></Invoice>'))).toBeNull();
    // A customer party without an endpoint: the next party's endpoint is not the buyer's.
    const noEndpoint = SAMPLE_INVOICE.replace(
      '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
      '',
    );
    expect(noEndpoint).not.toBe(SAMPLE_INVOICE);
    expect(peekReceiver(bytes(noEndpoint))).toBeNull();
    // An entity in the value, a scheme that is not four digits, no scheme.
    for (const endpoint of [
      '<cbc:EndpointID schemeID="0208">09876&amp;54394</cbc:EndpointID>',
      '<cbc:EndpointID schemeID="EM">a@b.example</cbc:EndpointID>',
      '<cbc:EndpointID>0987654394</cbc:EndpointID>',
    ]) {
      const xml = SAMPLE_INVOICE.replace(
        '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>',
        endpoint,
      );
      expect(peekReceiver(bytes(xml))).toBeNull();
    }
    // UTF-16: not ASCII-compatible, not read.
    expect(peekReceiver(new Uint8Array(Buffer.from(SAMPLE_INVOICE, 'utf16le')))).toBeNull();
  });
});

describe('a drop’s buyers are looked up while their files are checked', () => {
  const pipelines: Pipeline[] = [];
  const releases: (() => void)[] = [];
  /** Sends left unanswered by the tests: answered "offline" at the end, so that stop() ends. */
  const sends: ((o: ApOutcome<unknown>) => void)[] = [];
  afterEach(async () => {
    for (const r of releases.splice(0)) r();
    const stopping = pipelines.splice(0).map((p) => p.stop());
    for (const answer of sends.splice(0))
      answer({
        kind: 'transient',
        status: null,
        retryAfterMs: null,
        message: 'over',
        offline: true,
      });
    await Promise.all(stopping);
  });

  /**
   * A pipeline whose checks (the real one, in this thread) answer only when `release` is called,
   * and whose lookups answer as `answer` says, counting them per buyer.
   */
  function holding(answer: (buyer: string) => ApOutcome<unknown> | Promise<ApOutcome<unknown>>) {
    const db = openDb({ dataDir: ':memory:' });
    const repo = new DocumentsRepo(db);
    const asked: string[] = [];
    const never = () => new Promise<never>(() => undefined);
    const client = {
      baseUrl: 'http://stub',
      batchSupported: false,
      version: never,
      send: () => new Promise((r) => sends.push(r)),
      sendBatch: never,
      lookup: (buyer: string) => {
        asked.push(buyer);
        return Promise.resolve(answer(buyer));
      },
      validate: never,
      transaction: never,
      transactions: never,
      close: async () => undefined,
    } as unknown as AccessPointClient;
    let open = false;
    const waiting: (() => void)[] = [];
    const validator: Validator = {
      cacheKey: 'test',
      check: (b) => {
        const result: CheckResult = checkDocument(b);
        return new Promise((resolve) => {
          if (open) resolve(result);
          else waiting.push(() => resolve(result));
        });
      },
    };
    const release = () => {
      open = true;
      for (const w of waiting.splice(0)) w();
    };
    releases.push(release);
    const pipeline = new Pipeline(pipelineDeps(db, { repo, client, validator }), {
      concurrency: 2,
      sender: { batching: false },
    });
    pipelines.push(pipeline);
    const add = (name: string, body: Uint8Array) =>
      repo.insert({
        fileName: name,
        sha256: name,
        size: body.byteLength,
        body,
        idempotencyKey: `key-${name}`,
      });
    return { repo, pipeline, asked, release, add };
  }

  it('asks each buyer once before any verdict, and the checked documents take the answers', async () => {
    const found: ApOutcome<unknown> = {
      kind: 'ok',
      status: 200,
      value: { found: true, name: 'Buyer', capabilities: [] },
    };
    const { repo, pipeline, asked, release, add } = holding(() => found);
    const a = '0088:5790000435968';
    const b = '0208:0987654394';
    add('1.xml', makeInvoice('1', { receiver: a }));
    add('2.xml', makeInvoice('2', { receiver: b }));
    add('3.xml', makeInvoice('3', { receiver: a }));
    pipeline.start();
    // No verdict yet: the three are being checked, and both buyers are asked already.
    await until(() => asked.length === 2);
    expect(repo.counts().validating).toBe(3);
    expect([...asked].sort()).toEqual([a, b].sort());
    release();
    await until(() => repo.counts().queued + repo.counts().sending === 3);
    // The answers were taken from the cache: nobody was asked again.
    expect(asked).toHaveLength(2);
  });

  it('gives a document whose buyer’s look-ahead failed the reason its own lookup would have', async () => {
    // The provider URL leads to no access point: said on the document, as without a look-ahead.
    const nowhere: ApOutcome<unknown> = {
      kind: 'permanent',
      error: { status: 404, code: NO_SUCH_ADDRESS, message: 'No such address', details: null },
    };
    // Its answer comes once the document is checked and waits for it.
    let answer = () => undefined as void;
    const answered = new Promise<ApOutcome<unknown>>((r) => (answer = () => r(nowhere)));
    const { repo, pipeline, asked, release, add } = holding(() => answered);
    const id = add('1.xml', makeInvoice('1', { receiver: '0088:5790000435968' }));
    pipeline.start();
    await until(() => asked.length === 1);
    expect(repo.counts().validating).toBe(1);
    release();
    await until(() => repo.counts().resolving === 1);
    answer();
    await until(() => repo.counts().queued === 1);
    // Asked once (the look-ahead); the document's own lookup took that answer and its reason.
    expect(asked).toHaveLength(1);
    const details = repo.timeline(id).map((e) => e.detail);
    expect(details).toContain(BUYER_NOT_CHECKED_NOWHERE_DETAIL);
  });
});
