import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startSandbox, type SandboxHandle, type SandboxOptions } from '../../app/sandbox/server';
import {
  BILLING_PROCESS_ID,
  CREDIT_NOTE_DOCUMENT_TYPE,
  INVOICE_DOCUMENT_TYPE,
} from '../../app/sandbox/participants';
import { parseSandboxArgs, runSandboxCommand } from '../../app/sandbox/standalone';

const SAMPLE = readFileSync(new URL('../fixtures/sample-invoice.xml', import.meta.url), 'utf8');
const SAMPLE_NUMBER = 'BENCH-INV-0000001';
const SAMPLE_RECEIVER = '<cbc:EndpointID schemeID="0208">0987654394</cbc:EndpointID>';

/** The sample invoice with another number, receiver and (optionally) as a credit note. */
function invoice(
  number: string,
  receiver = '0208:0987654394',
  kind: 'Invoice' | 'CreditNote' = 'Invoice',
): string {
  const [scheme, value] = receiver.split(/:(.*)/s) as [string, string];
  let xml = SAMPLE.replace(
    `<cbc:ID>${SAMPLE_NUMBER}</cbc:ID>`,
    `<cbc:ID>${number}</cbc:ID>`,
  ).replace(SAMPLE_RECEIVER, `<cbc:EndpointID schemeID="${scheme}">${value}</cbc:EndpointID>`);
  if (kind === 'CreditNote') {
    xml = xml
      .replace('xsd:Invoice-2"', 'xsd:CreditNote-2"')
      .replace('<Invoice ', '<CreditNote ')
      .replace('</Invoice>', '</CreditNote>');
  }
  return xml;
}

const agent = new Agent({ keepAliveTimeout: 10_000 });
afterAll(() => agent.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function call(
  url: string,
  init: {
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string | Buffer;
    signal?: AbortSignal;
  } = {},
): Promise<Reply> {
  const res = await request(url, {
    dispatcher: agent,
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.headers,
    body: init.body,
    signal: init.signal,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function sendXml(sb: SandboxHandle, xml: string | Buffer, headers: Record<string, string> = {}) {
  return call(`${sb.url}/api/v1/send`, {
    body: xml,
    headers: { 'content-type': 'application/xml', ...headers },
  });
}

function sendBatch(
  sb: SandboxHandle,
  documents: unknown[],
  headers: Record<string, string> = {},
  path = '/api/v1/send/batch',
) {
  return call(`${sb.url}${path}`, {
    body: JSON.stringify({ documents }),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Poll a transaction until `done` holds, at most `tries` times. */
async function pollTransaction(
  sb: SandboxHandle,
  id: string,
  done: (t: Reply['json']) => boolean,
  tries = 200,
): Promise<Reply['json'][]> {
  const seen: Reply['json'][] = [];
  for (let i = 0; i < tries; i++) {
    const r = await call(`${sb.url}/api/v1/transactions/${id}`);
    seen.push(r.json);
    if (done(r.json)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(
    `transaction ${id} never reached the expected state: ${JSON.stringify(seen.at(-1))}`,
  );
}

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function expectErrorBody(r: Reply, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.json.error).toMatchObject({ code, request_id: expect.any(String) });
  expect(typeof r.json.error.message).toBe('string');
  expect(r.json.error.message.length).toBeGreaterThan(10);
  expect(r.json.error.details).toBeDefined();
}

describe('sandbox access point', () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox({ transactionStepMs: 20 });
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());

  describe('connection', () => {
    it('listens on loopback under the base path', () => {
      expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/peppol-api$/);
      expect(sb.port).toBeGreaterThan(0);
    });

    it('serves the version outside and inside /api/v1 with environment sandbox', async () => {
      for (const path of ['/peppol/version', '/api/v1/version']) {
        const r = await call(`${sb.url}${path}`);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({
          environment: 'sandbox',
          version: expect.any(String),
          peppol_ap_id: expect.any(String),
          status: expect.any(String),
        });
      }
    });

    it('accepts any API key or none, and refuses a present but empty one with 401', async () => {
      expect((await call(`${sb.url}/api/v1/version`)).status).toBe(200);
      expect(
        (await call(`${sb.url}/api/v1/version`, { headers: { 'x-api-key': 'sk_test_abc' } }))
          .status,
      ).toBe(200);
      expect(
        (await call(`${sb.url}/api/v1/version`, { headers: { 'x-api-key': 'anything' } })).status,
      ).toBe(200);
      const r = await call(`${sb.url}/api/v1/version`, { headers: { 'x-api-key': '' } });
      expectErrorBody(r, 401, 'UNAUTHORIZED');
    });

    it('answers 404 for unknown paths and 405 for the wrong method, with error bodies', async () => {
      expectErrorBody(await call(`${sb.url}/api/v1/nope`), 404, 'NOT_FOUND');
      const r = await call(`${sb.url}/api/v1/send`);
      expectErrorBody(r, 405, 'METHOD_NOT_ALLOWED');
      expect(r.headers['allow']).toBe('POST');
    });

    it('echoes the request id of an error in the X-Request-Id header', async () => {
      const r = await call(`${sb.url}/api/v1/transactions/unknown`);
      expect(r.headers['x-request-id']).toBe(r.json.error.request_id);
    });
  });

  describe('participant lookup', () => {
    it('answers all three documented query forms, with and without /api/v1', async () => {
      const queries = [
        'peppol_id=0208:0987654394',
        'scheme=0208&identifier=0987654394',
        'identifier=0208:0987654394',
      ];
      for (const prefix of ['/api/v1', '']) {
        for (const q of queries) {
          const r = await call(`${sb.url}${prefix}/participants/lookup?${q}`);
          expect(r.status, `${prefix} ${q}`).toBe(200);
          expect(r.json).toMatchObject({
            found: true,
            registered: true,
            participant_id: '0208:0987654394',
            scheme: '0208',
            identifier: '0987654394',
            country: 'BE',
            name: expect.any(String),
            access_point: expect.anything(),
            smp_endpoint: expect.stringMatching(/^http:\/\/B-[0-9a-f]{32}\./),
          });
        }
      }
    });

    it('lists the real BIS Billing 3.0 document types for an ordinary participant', async () => {
      const r = await call(
        `${sb.url}/api/v1/participants/lookup?peppol_id=9915:phase4-test-receiver`,
      );
      expect(r.json.capabilities).toEqual([
        {
          document_type:
            'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1',
          process_id: 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0',
        },
        { document_type: CREDIT_NOTE_DOCUMENT_TYPE, process_id: BILLING_PROCESS_ID },
      ]);
    });

    it('reports 9915:not-registered and unreg* ids as not found with 404 and found:false', async () => {
      for (const id of ['9915:not-registered', '0208:unregistered-1', '0106:UNREG42']) {
        const r = await call(`${sb.url}/api/v1/participants/lookup?peppol_id=${id}`);
        expect(r.status, id).toBe(404);
        expect(r.json).toMatchObject({ found: false, registered: false, capabilities: [] });
        expect(r.json.error.code).toBe('PARTICIPANT_NOT_FOUND');
      }
    });

    it('can report not-found as 200 with found:false instead', async () => {
      const other = await startSandbox({ lookupNotFound: 'found-false' });
      try {
        const r = await call(`${other.url}/participants/lookup?identifier=9915:not-registered`);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({ found: false, registered: false });
      } finally {
        await other.close();
      }
    });

    it('reflects invoice-only and credit-note-only capabilities, matching values case-insensitively', async () => {
      const inv = await call(
        `${sb.url}/api/v1/participants/lookup?scheme=9915&identifier=Invoice-Only`,
      );
      expect(inv.json.capabilities.map((c: { document_type: string }) => c.document_type)).toEqual([
        INVOICE_DOCUMENT_TYPE,
      ]);
      const cn = await call(`${sb.url}/api/v1/participants/lookup?peppol_id=9915:CREDIT-NOTE-ONLY`);
      expect(cn.json.capabilities.map((c: { document_type: string }) => c.document_type)).toEqual([
        CREDIT_NOTE_DOCUMENT_TYPE,
      ]);
    });

    it('accepts the iso6523-actorid-upis:: prefix', async () => {
      const r = await call(
        `${sb.url}/api/v1/participants/lookup?peppol_id=iso6523-actorid-upis::0208:0987654394`,
      );
      expect(r.json.participant_id).toBe('0208:0987654394');
    });

    it('answers 400 for a missing or malformed participant id', async () => {
      expectErrorBody(
        await call(`${sb.url}/api/v1/participants/lookup`),
        400,
        'MISSING_PARTICIPANT_ID',
      );
      for (const q of [
        'peppol_id=nocolon',
        'peppol_id=ab:123',
        'scheme=0208&identifier=',
        'identifier=0208:a%20b',
      ]) {
        expectErrorBody(
          await call(`${sb.url}/api/v1/participants/lookup?${q}`),
          400,
          'INVALID_PARTICIPANT_ID',
        );
      }
    });
  });

  describe('send', () => {
    it('accepts a BIS 3.0 invoice with 202 {id, transaction_id, status: pending}', async () => {
      const r = await sendXml(sb, SAMPLE);
      expect(r.status).toBe(202);
      expect(r.json).toEqual({
        id: expect.any(String),
        transaction_id: r.json.id,
        status: 'pending',
      });
      expect(r.headers['location']).toBe(`/peppol-api/api/v1/transactions/${r.json.id}`);
      expect(sb.stats().acceptedDocuments).toBe(1);
    });

    it('replays the stored answer for a repeated Idempotency-Key with the same body', async () => {
      const first = await sendXml(sb, SAMPLE, { 'idempotency-key': 'k-1' });
      const again = await sendXml(sb, SAMPLE, { 'idempotency-key': 'k-1' });
      expect(again.status).toBe(202);
      expect(again.json).toEqual(first.json);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const s = sb.stats();
      expect(s.acceptedDocuments).toBe(1);
      expect(s.idempotentReplays).toBe(1);
      expect(s.transactions).toBe(1);
    });

    it('answers 409 for a repeated Idempotency-Key with a different body', async () => {
      await sendXml(sb, invoice('A-1'), { 'idempotency-key': 'k-2' });
      const r = await sendXml(sb, invoice('A-2'), { 'idempotency-key': 'k-2' });
      expectErrorBody(r, 409, 'IDEMPOTENCY_KEY_REUSED');
      expect(sb.stats()).toMatchObject({ acceptedDocuments: 1, idempotencyConflicts: 1 });
    });

    it('scopes idempotency keys per API key', async () => {
      const a = await sendXml(sb, SAMPLE, { 'idempotency-key': 'same', 'x-api-key': 'sk_test_a' });
      const b = await sendXml(sb, SAMPLE, { 'idempotency-key': 'same', 'x-api-key': 'sk_test_b' });
      expect(b.status).toBe(202);
      expect(b.json.id).not.toBe(a.json.id);
      expect(sb.stats().acceptedDocuments).toBe(2);
    });

    it('replays stored rejections too', async () => {
      const xml = invoice('NR-1', '9915:not-registered');
      const first = await sendXml(sb, xml, { 'idempotency-key': 'k-nr' });
      const again = await sendXml(sb, xml, { 'idempotency-key': 'k-nr' });
      expect(again.status).toBe(404);
      expect(again.json).toEqual(first.json);
    });

    it('answers 400 INVALID_XML for XML that is not well-formed', async () => {
      expectErrorBody(await sendXml(sb, '<Invoice><cbc:ID>1</Invoice>'), 400, 'INVALID_XML');
      expectErrorBody(await sendXml(sb, SAMPLE.slice(0, 2000)), 400, 'INVALID_XML');
      expect(sb.stats().acceptedDocuments).toBe(0);
    });

    // XML 1.0, 4.3.3 and appendix F: the encoding comes from the byte order mark and the
    // declaration. UTF-16 is XML like any other; bytes in another encoding than the one declared
    // are not well-formed (the same reading as our own checks, app/domain/xml-encoding.ts).
    it('reads a UTF-16 document by its byte order mark, and refuses one that declares another encoding', async () => {
      const utf16 = (text: string) =>
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const declared16 = invoice('U16-1').replace('encoding="UTF-8"', 'encoding="UTF-16"');
      expect(declared16).toContain('encoding="UTF-16"');
      const ok = await sendXml(sb, utf16(declared16));
      expect(ok.status).toBe(202);
      expect(sb.stats().acceptedDocuments).toBe(1);
      expectErrorBody(await sendXml(sb, utf16(invoice('U16-2'))), 400, 'INVALID_XML');
      const says16 = Buffer.from(invoice('U16-3').replace('encoding="UTF-8"', 'encoding="utf-16"'));
      expectErrorBody(await sendXml(sb, says16), 400, 'INVALID_XML');
      // UTF-16 without its byte order mark (4.3.3: it MUST have one), as our checks say.
      const unmarked = utf16(invoice('U16-4').replace('encoding="UTF-8"', 'encoding="UTF-16"'));
      expectErrorBody(await sendXml(sb, unmarked.subarray(2)), 400, 'INVALID_XML');
      expect(sb.stats().acceptedDocuments).toBe(1);
    });

    it('refuses documents that are not UBL Invoice/CreditNote with 422', async () => {
      const order =
        '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>';
      expectErrorBody(await sendXml(sb, order), 422, 'UNSUPPORTED_DOCUMENT_TYPE');
      // Right local name, wrong namespace.
      expectErrorBody(
        await sendXml(sb, '<Invoice><ID>1</ID></Invoice>'),
        422,
        'UNSUPPORTED_DOCUMENT_TYPE',
      );
    });

    it('refuses an invoice without the buyer EndpointID with 422 MISSING_RECEIVER', async () => {
      const r = await sendXml(sb, SAMPLE.replace(SAMPLE_RECEIVER, ''));
      expectErrorBody(r, 422, 'MISSING_RECEIVER');
      expect(r.json.error.details[0]).toMatchObject({ rule: 'PEPPOL-EN16931-R010' });
      const noScheme = SAMPLE.replace(
        SAMPLE_RECEIVER,
        '<cbc:EndpointID>0987654394</cbc:EndpointID>',
      );
      expectErrorBody(await sendXml(sb, noScheme), 422, 'MISSING_RECEIVER');
    });

    it('reads the receiver from the buyer, not the seller', async () => {
      // The seller keeps a registered id; only the buyer becomes unregistered.
      const r = await sendXml(sb, invoice('X-1', '0208:unregistered-9'));
      expectErrorBody(r, 404, 'RECEIVER_NOT_REGISTERED');
      expect(r.json.error.message).toContain('0208:unregistered-9');
    });

    it('refuses 9915:not-registered with 404 and a clear message', async () => {
      const r = await sendXml(sb, invoice('X-2', '9915:not-registered'));
      expectErrorBody(r, 404, 'RECEIVER_NOT_REGISTERED');
      expect(r.json.error.message).toMatch(/not registered on the Peppol network/);
    });

    it('lets invoice-only and credit-note-only receivers take only their type', async () => {
      expect((await sendXml(sb, invoice('T-1', '9915:invoice-only'))).status).toBe(202);
      expectErrorBody(
        await sendXml(sb, invoice('T-2', '9915:invoice-only', 'CreditNote')),
        422,
        'DOCUMENT_TYPE_NOT_ACCEPTED',
      );
      expect(
        (await sendXml(sb, invoice('T-3', '9915:credit-note-only', 'CreditNote'))).status,
      ).toBe(202);
      expectErrorBody(
        await sendXml(sb, invoice('T-4', '9915:credit-note-only')),
        422,
        'DOCUMENT_TYPE_NOT_ACCEPTED',
      );
      expect(sb.stats()).toMatchObject({ acceptedDocuments: 2, rejectedDocuments: 2 });
    });

    it('accepts gzip request bodies', async () => {
      const r = await sendXml(sb, gzipSync(SAMPLE), {
        'content-encoding': 'gzip',
      });
      expect(r.status).toBe(202);
      // Same content as an identity body: counted as the same document content.
      await sendXml(sb, SAMPLE);
      expect(sb.stats()).toMatchObject({ distinctBodies: 1, duplicateContentAccepts: 1 });
    });

    it('answers 415 for another Content-Encoding and 400 for broken gzip', async () => {
      expectErrorBody(
        await sendXml(sb, SAMPLE, { 'content-encoding': 'br' }),
        415,
        'UNSUPPORTED_CONTENT_ENCODING',
      );
      expectErrorBody(
        await sendXml(sb, SAMPLE, { 'content-encoding': 'gzip' }),
        400,
        'INVALID_GZIP',
      );
    });

    it('answers 413 above 15 MB, also when the gzip body inflates beyond it', async () => {
      const huge = SAMPLE.replace('<cbc:Note>', `<cbc:Note>${'x'.repeat(16 * 1024 * 1024)}`);
      expectErrorBody(await sendXml(sb, huge), 413, 'PAYLOAD_TOO_LARGE');
      expectErrorBody(
        await sendXml(sb, gzipSync(huge), { 'content-encoding': 'gzip' }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      // The connection is still usable afterwards.
      expect((await sendXml(sb, SAMPLE)).status).toBe(202);
    });
  });

  describe('validate', () => {
    it('reports a BIS 3.0 invoice as valid', async () => {
      const r = await call(`${sb.url}/api/v1/validate`, { body: SAMPLE });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ valid: true, errors: [], warnings: [] });
    });

    it('reports missing CustomizationID and ProfileID as {rule, location, message}', async () => {
      const xml = SAMPLE.replace(/<cbc:CustomizationID>.*<\/cbc:CustomizationID>/, '').replace(
        /<cbc:ProfileID>.*<\/cbc:ProfileID>/,
        '',
      );
      const r = await call(`${sb.url}/api/v1/validate`, { body: xml });
      expect(r.status).toBe(200);
      expect(r.json.valid).toBe(false);
      expect(r.json.errors.map((e: { rule: string }) => e.rule)).toEqual([
        'BR-01',
        'PEPPOL-EN16931-R001',
      ]);
      expect(r.json.errors[0]).toMatchObject({
        location: '/Invoice/cbc:CustomizationID',
        message: expect.any(String),
      });
    });

    it('reports a non-UBL root as invalid', async () => {
      const r = await call(`${sb.url}/api/v1/validate`, { body: '<Order/>' });
      expect(r.json.valid).toBe(false);
    });

    it('answers 400 INVALID_XML only for XML that is not well-formed', async () => {
      expectErrorBody(
        await call(`${sb.url}/api/v1/validate`, { body: '<a><b></a>' }),
        400,
        'INVALID_XML',
      );
    });

    it('does not create transactions', async () => {
      await call(`${sb.url}/api/v1/validate`, { body: SAMPLE });
      expect(sb.stats()).toMatchObject({ acceptedDocuments: 0, transactions: 0 });
    });
  });

  describe('batch', () => {
    const mixed = () => [
      { id: 'doc-ok', xml: invoice('B-1') },
      { id: 'doc-unreg', xml: invoice('B-2', '9915:not-registered') },
      {
        id: 'doc-order',
        xml: '<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>',
      },
      { id: 'doc-cn', xml: invoice('B-3', '9915:phase4-test-receiver', 'CreditNote') },
    ];

    it('answers per item, mapped by id, with partial rejection, on both paths', async () => {
      for (const path of ['/api/v1/send/batch', '/api/v1/batch']) {
        sb.reset();
        const r = await sendBatch(sb, mixed(), {}, path);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({
          batch_id: expect.any(String),
          total_count: 4,
          accepted_count: 2,
          rejected_count: 2,
        });
        const byId = new Map(r.json.results.map((x: { id: string }) => [x.id, x]));
        expect(byId.get('doc-ok')).toMatchObject({
          status: 'accepted',
          transaction_id: expect.any(String),
        });
        expect(byId.get('doc-cn')).toMatchObject({
          status: 'accepted',
          transaction_id: expect.any(String),
        });
        expect(byId.get('doc-unreg')).toMatchObject({
          status: 'rejected',
          error: { code: 'RECEIVER_NOT_REGISTERED' },
        });
        expect(byId.get('doc-order')).toMatchObject({
          status: 'rejected',
          error: { code: 'UNSUPPORTED_DOCUMENT_TYPE' },
        });
        const tx = await call(
          `${sb.url}/api/v1/transactions/${(byId.get('doc-ok') as { transaction_id: string }).transaction_id}`,
        );
        expect(tx.json.batch_id).toBe(r.json.batch_id);
      }
    });

    it('replays a repeated identical batch under the same Idempotency-Key', async () => {
      const first = await sendBatch(sb, mixed(), { 'idempotency-key': 'batch-1' });
      const again = await sendBatch(sb, mixed(), { 'idempotency-key': 'batch-1' });
      expect(again.status).toBe(200);
      expect(again.json).toEqual(first.json);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(sb.stats()).toMatchObject({
        acceptedDocuments: 2,
        batchReplays: 1,
        duplicateContentAccepts: 0,
      });
    });

    it('answers 409 for the same batch key with a different batch', async () => {
      await sendBatch(sb, mixed(), { 'idempotency-key': 'batch-2' });
      expectErrorBody(
        await sendBatch(sb, mixed().slice(0, 1), { 'idempotency-key': 'batch-2' }),
        409,
        'IDEMPOTENCY_KEY_REUSED',
      );
    });

    it('returns the first result for an item id seen before, even in a new batch', async () => {
      const first = await sendBatch(sb, mixed());
      const second = await sendBatch(sb, [...mixed(), { id: 'doc-new', xml: invoice('B-9') }]);
      expect(second.json.batch_id).not.toBe(first.json.batch_id);
      for (const item of first.json.results) {
        expect(second.json.results.find((x: { id: string }) => x.id === item.id)).toEqual(item);
      }
      expect(sb.stats()).toMatchObject({
        acceptedDocuments: 3,
        idempotentReplays: 4,
        duplicateContentAccepts: 0,
      });
    });

    it('shares keys with send: a document sent alone is not accepted again in a batch', async () => {
      const single = await sendXml(sb, invoice('S-1'), { 'idempotency-key': 'doc-S-1' });
      const r = await sendBatch(sb, [{ id: 'doc-S-1', xml: invoice('S-1') }]);
      expect(r.json.results[0]).toEqual({
        id: 'doc-S-1',
        status: 'accepted',
        transaction_id: single.json.id,
      });
      expect(sb.stats().acceptedDocuments).toBe(1);
    });

    it('rejects an item whose id was used with different content', async () => {
      await sendBatch(sb, [{ id: 'dup', xml: invoice('D-1') }]);
      const r = await sendBatch(sb, [{ id: 'dup', xml: invoice('D-2') }]);
      expect(r.json.results[0]).toMatchObject({
        status: 'rejected',
        error: { code: 'IDEMPOTENCY_KEY_REUSED' },
      });
      expect(sb.stats()).toMatchObject({ acceptedDocuments: 1, idempotencyConflicts: 1 });
    });

    it('rejects items without an id or xml, and refuses malformed or oversized batches', async () => {
      const r = await sendBatch(sb, [{ xml: SAMPLE }, { id: 'no-xml' }]);
      expect(r.json.results.map((x: { error: { code: string } }) => x.error.code)).toEqual([
        'MISSING_ID',
        'INVALID_REQUEST',
      ]);
      expectErrorBody(
        await call(`${sb.url}/api/v1/send/batch`, { body: '{not json' }),
        400,
        'INVALID_JSON',
      );
      expectErrorBody(await sendBatch(sb, []), 400, 'INVALID_REQUEST');
      const many = Array.from({ length: 101 }, (_, i) => ({
        id: `m-${i}`,
        xml: invoice(`M-${i}`),
      }));
      expectErrorBody(await sendBatch(sb, many), 400, 'TOO_MANY_DOCUMENTS');
      expect(sb.stats().acceptedDocuments).toBe(0);
    });

    it('takes 100 documents in one batch, also gzip-compressed', async () => {
      const docs = Array.from({ length: 100 }, (_, i) => ({
        id: `h-${i}`,
        xml: invoice(`H-${i}`),
      }));
      const r = await call(`${sb.url}/api/v1/send/batch`, {
        body: gzipSync(JSON.stringify({ documents: docs })),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ total_count: 100, accepted_count: 100, rejected_count: 0 });
      expect(sb.stats()).toMatchObject({ acceptedDocuments: 100, distinctBodies: 100 });
    });
  });

  describe('transactions', () => {
    it('progresses pending → processing → sending → delivered with time', async () => {
      const clock = manualClock();
      const s = await startSandbox({ transactionStepMs: 1000, now: clock.now });
      try {
        const { json } = await sendXml(s, SAMPLE);
        const statusAt = async () => (await call(`${s.url}/api/v1/transactions/${json.id}`)).json;
        expect((await statusAt()).status).toBe('pending');
        clock.advance(1000);
        expect((await statusAt()).status).toBe('processing');
        clock.advance(1000);
        expect((await statusAt()).status).toBe('sending');
        clock.advance(999);
        expect((await statusAt()).status).toBe('sending');
        clock.advance(1);
        const t = await statusAt();
        expect(t).toMatchObject({
          id: json.id,
          transaction_id: json.id,
          status: 'delivered',
          created_at: '2025-01-01T00:00:00.000Z',
          updated_at: '2025-01-01T00:00:03.000Z',
          delivered_at: '2025-01-01T00:00:03.000Z',
        });
        expect(t.error).toBeUndefined();
      } finally {
        await s.close();
      }
    });

    it('reaches delivered on the real clock with a small step', async () => {
      const { json } = await sendXml(sb, SAMPLE);
      const seen = await pollTransaction(sb, json.id, (t) => t.status === 'delivered');
      const order = ['pending', 'processing', 'sending', 'delivered'];
      const indexes = seen.map((t) => order.indexOf(t.status));
      expect(indexes.every((x) => x >= 0)).toBe(true);
      expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    });

    it('fails 9915:invalid-cert with a certificate error', async () => {
      const { json } = await sendXml(sb, invoice('C-1', '9915:invalid-cert'));
      expect(json.status).toBe('pending');
      const seen = await pollTransaction(sb, json.id, (t) => t.status === 'failed');
      expect(seen.at(-1).error).toMatchObject({
        code: 'CERTIFICATE_ERROR',
        message: expect.stringMatching(/certificate/),
      });
      expect(seen.at(-1).delivered_at).toBeUndefined();
    });

    it('delivers 9915:reject-all, then carries a business response RE', async () => {
      const clock = manualClock();
      const s = await startSandbox({ transactionStepMs: 100, now: clock.now });
      try {
        const { json } = await sendXml(s, invoice('R-1', '9915:reject-all'));
        clock.advance(300);
        const delivered = (await call(`${s.url}/api/v1/transactions/${json.id}`)).json;
        expect(delivered.status).toBe('delivered');
        expect(delivered.business_response).toBeUndefined();
        clock.advance(100);
        const answered = (await call(`${s.url}/api/v1/transactions/${json.id}`)).json;
        expect(answered.status).toBe('delivered');
        expect(answered.business_response).toMatchObject({
          code: 'RE',
          received_at: expect.any(String),
        });
      } finally {
        await s.close();
      }
    });

    it('answers invoices to 9915:respond-re-invoices with RE, and takes its credit notes without an answer', async () => {
      const clock = manualClock();
      const s = await startSandbox({ transactionStepMs: 100, now: clock.now });
      try {
        const inv = await sendXml(s, invoice('RI-1', '9915:respond-re-invoices'));
        const cn = await sendXml(
          s,
          invoice('RI-CN', '9915:respond-re-invoices')
            .replace('<Invoice ', '<CreditNote ')
            .replace('</Invoice>', '</CreditNote>')
            .replace('schema:xsd:Invoice-2', 'schema:xsd:CreditNote-2'),
        );
        expect([inv.status, cn.status]).toEqual([202, 202]);
        clock.advance(400);
        const get = async (id: string) => (await call(`${s.url}/api/v1/transactions/${id}`)).json;
        expect(await get(inv.json.id)).toMatchObject({
          status: 'delivered',
          document_type: 'Invoice',
          business_response: { code: 'RE' },
        });
        const credit = await get(cn.json.id);
        expect(credit).toMatchObject({ status: 'delivered', document_type: 'CreditNote' });
        expect(credit.business_response).toBeUndefined();
      } finally {
        await s.close();
      }
    });

    it('keeps 9915:timeout-test in sending for 30 s and more without blocking the answer', async () => {
      const clock = manualClock();
      const s = await startSandbox({ transactionStepMs: 100, now: clock.now });
      try {
        const sent = await sendXml(s, invoice('TO-1', '9915:timeout-test'));
        expect(sent.status).toBe(202);
        clock.advance(200);
        const get = async () =>
          (await call(`${s.url}/api/v1/transactions/${sent.json.id}`)).json.status;
        expect(await get()).toBe('sending');
        clock.advance(30_000);
        expect(await get()).toBe('sending');
        clock.advance(5_000);
        expect(await get()).toBe('delivered');
      } finally {
        await s.close();
      }
    });

    it('lists the newest transactions first with both id and transaction_id', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await sendXml(sb, invoice(`L-${i}`))).json.id);
      const r = await call(`${sb.url}/api/v1/transactions?limit=2`);
      expect(r.status).toBe(200);
      expect(r.json.total).toBe(3);
      expect(r.json.transactions.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]]);
      expect(r.json.transactions[0].transaction_id).toBe(ids[2]);
      expectErrorBody(await call(`${sb.url}/api/v1/transactions?limit=0`), 400, 'INVALID_LIMIT');
    });

    it('answers 404 for an unknown transaction', async () => {
      expectErrorBody(
        await call(`${sb.url}/api/v1/transactions/%E0%A4%A`),
        404,
        'TRANSACTION_NOT_FOUND',
      );
      expectErrorBody(
        await call(`${sb.url}/api/v1/transactions/txn_nope`),
        404,
        'TRANSACTION_NOT_FOUND',
      );
    });
  });

  describe('idempotency lifetime', () => {
    it('forgets keys after 24 hours', async () => {
      const clock = manualClock();
      const s = await startSandbox({ now: clock.now });
      try {
        await sendXml(s, invoice('E-1'), { 'idempotency-key': 'old' });
        clock.advance(24 * 60 * 60 * 1000 - 1);
        expect((await sendXml(s, invoice('E-2'), { 'idempotency-key': 'old' })).status).toBe(409);
        clock.advance(1);
        expect((await sendXml(s, invoice('E-2'), { 'idempotency-key': 'old' })).status).toBe(202);
      } finally {
        await s.close();
      }
    });
  });

  describe('stats', () => {
    it('counts requests by endpoint and status', async () => {
      await sendXml(sb, SAMPLE);
      await sendXml(sb, '<broken');
      await call(`${sb.url}/peppol/version`);
      const s = sb.stats();
      expect(s.requests.total).toBe(3);
      expect(s.requests.byEndpoint['POST /api/v1/send']).toEqual({
        total: 2,
        byStatus: { '202': 1, '400': 1 },
      });
      expect(s.requests.byEndpoint['GET /peppol/version']).toEqual({
        total: 1,
        byStatus: { '200': 1 },
      });
    });

    it('counts the same content accepted under different keys as duplicates', async () => {
      await sendXml(sb, SAMPLE, { 'idempotency-key': 'a' });
      await sendXml(sb, SAMPLE, { 'idempotency-key': 'b' });
      await sendBatch(sb, [{ id: 'c', xml: SAMPLE }]);
      await sendXml(sb, SAMPLE); // no key
      await sendXml(sb, SAMPLE, { 'idempotency-key': 'a' }); // replay: not a new accept
      const s = sb.stats();
      expect(s).toMatchObject({
        acceptedDocuments: 4,
        acceptedByKey: 3,
        acceptedWithoutKey: 1,
        distinctBodies: 1,
        duplicateContentAccepts: 3,
        idempotentReplays: 1,
      });
      expect(s.duplicateInvoiceNumbers).toEqual({ count: 1, numbers: [SAMPLE_NUMBER] });
    });

    it('lists invoice numbers accepted more than once even when the bodies differ', async () => {
      await sendXml(sb, invoice('N-1'), { 'idempotency-key': 'n1' });
      await sendXml(sb, invoice('N-1', '0208:1111111111'), { 'idempotency-key': 'n2' });
      await sendXml(sb, invoice('N-2'), { 'idempotency-key': 'n3' });
      const s = sb.stats();
      expect(s).toMatchObject({ distinctBodies: 3, duplicateContentAccepts: 0 });
      expect(s.duplicateInvoiceNumbers).toEqual({ count: 1, numbers: ['N-1'] });
    });

    it('serves stats and the accepted list over HTTP without counting itself', async () => {
      const sent = await sendXml(sb, SAMPLE, { 'idempotency-key': 'acc-1' });
      const stats = await call(`${sb.url}/_sandbox/stats`);
      expect(stats.json).toEqual(JSON.parse(JSON.stringify(sb.stats())));
      expect(stats.json.requests.total).toBe(1);
      const accepted = await call(`${sb.url}/_sandbox/accepted`);
      expect(accepted.json).toEqual({
        count: 1,
        fields: ['key', 'sha256', 'document_number', 'transaction_id'],
        rows: [['acc-1', expect.stringMatching(/^[0-9a-f]{64}$/), SAMPLE_NUMBER, sent.json.id]],
      });
    });

    it('resets over HTTP', async () => {
      await sendXml(sb, SAMPLE, { 'idempotency-key': 'r-1' });
      expect((await call(`${sb.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(200);
      expect(sb.stats()).toMatchObject({
        acceptedDocuments: 0,
        transactions: 0,
        requests: { total: 0 },
      });
      // The key is forgotten too.
      expect((await sendXml(sb, invoice('other'), { 'idempotency-key': 'r-1' })).status).toBe(202);
    });
  });

  describe('latency', () => {
    afterEach(() => sb.setLatency(0));

    it('adds the configured latency to API answers, settable at runtime', async () => {
      // A latency far above what a busy machine adds to a local request (a loaded run saw 171 ms for one
      // that should take none with 120 ms configured).
      sb.setLatency(500);
      const started = performance.now();
      await call(`${sb.url}/peppol/version`);
      expect(performance.now() - started).toBeGreaterThanOrEqual(490);
      await call(`${sb.url}/_sandbox/latency`, { body: JSON.stringify({ ms: 0 }) });
      const again = performance.now();
      await call(`${sb.url}/peppol/version`);
      expect(performance.now() - again).toBeLessThan(490);
    });
  });
});

describe('sandbox fault plans', () => {
  let sb: SandboxHandle;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());

  it('answers 429 with Retry-After on every Nth send, without processing it', async () => {
    sb.setFaults({ status429: { every: 3, retryAfterSeconds: 7 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await sendXml(sb, invoice(`F-${i}`));
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.headers['retry-after']).toBe('7');
        expect(r.json.error.code).toBe('RATE_LIMITED');
      }
    }
    expect(statuses).toEqual([202, 202, 429, 202, 202, 429]);
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 4, faults: { status429: 2 } });
  });

  it('leaves other endpoints alone unless endpoints is all', async () => {
    sb.setFaults({ status503: { every: 1 } });
    expect((await call(`${sb.url}/peppol/version`)).status).toBe(200);
    expect((await sendXml(sb, SAMPLE)).status).toBe(503);
    expect((await sendBatch(sb, [{ id: 'x', xml: SAMPLE }])).status).toBe(503);
    sb.setFaults({ status503: { every: 1 }, endpoints: 'all' });
    expectErrorBody(await call(`${sb.url}/peppol/version`), 503, 'SERVICE_UNAVAILABLE');
  });

  it('repeats the same probabilistic sequence for the same seed', async () => {
    const run = async (seed: number) => {
      sb.reset();
      sb.setFaults({ seed, status503: { probability: 0.3 } });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await sendXml(sb, invoice(`P-${i}`))).status);
      return statuses;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(2);
    expect(failures).toBeLessThan(20);
    expect(a.filter((s) => s !== 503).every((s) => s === 202)).toBe(true);
  });

  it('stops injecting after max', async () => {
    sb.setFaults({ status503: { every: 1, max: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await sendXml(sb, invoice(`MX-${i}`))).status);
    expect(statuses).toEqual([503, 503, 202, 202]);
  });

  it('deliveryFails: the send is accepted, then its transaction fails at delivery', async () => {
    sb.setFaults({ deliveryFails: { every: 2 } });
    const first = await sendXml(sb, invoice('DF-1'));
    const second = await sendXml(sb, invoice('DF-2'));
    expect([first.status, second.status]).toEqual([202, 202]);
    const ended = await pollTransaction(sb, second.json.id, (t) => t.status === 'failed');
    expect(ended.at(-1).error).toMatchObject({ code: 'CERTIFICATE_ERROR' });
    const ok = await pollTransaction(sb, first.json.id, (t) => t.status === 'delivered');
    expect(ok.at(-1).error).toBeUndefined();
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 2, faults: { deliveryFails: 1 } });
  });

  it("resets the connection 'before': the document is not processed", async () => {
    sb.setFaults({ resetConnection: { every: 1, max: 1, when: 'before' } });
    await expect(sendXml(sb, SAMPLE, { 'idempotency-key': 'rb' })).rejects.toThrow();
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 0, faults: { resetBefore: 1 } });
    expect(sb.stats().requests.byEndpoint['POST /api/v1/send']?.byStatus).toEqual({ reset: 1 });
    const retry = await sendXml(sb, SAMPLE, { 'idempotency-key': 'rb' });
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(sb.stats().acceptedDocuments).toBe(1);
  });

  it("resets the connection 'after': processed and stored, only the answer is lost", async () => {
    sb.setFaults({ resetConnection: { every: 1, max: 1, when: 'after' } });
    await expect(sendXml(sb, SAMPLE, { 'idempotency-key': 'ra' })).rejects.toThrow();
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 1, faults: { resetAfter: 1 } });
    const retry = await sendXml(sb, SAMPLE, { 'idempotency-key': 'ra' });
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 1, duplicateContentAccepts: 0 });
  });

  it("shows the duplicate a client without keys would create after a reset 'after'", async () => {
    sb.setFaults({ resetConnection: { every: 1, max: 1, when: 'after' } });
    await expect(sendXml(sb, SAMPLE)).rejects.toThrow();
    await sendXml(sb, SAMPLE);
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 2, duplicateContentAccepts: 1 });
  });

  it('resets batches after processing, and the identical retry replays the stored batch', async () => {
    sb.setFaults({ resetConnection: { every: 1, max: 1, when: 'after' } });
    const docs = [
      { id: 'rb-1', xml: invoice('RB-1') },
      { id: 'rb-2', xml: invoice('RB-2') },
    ];
    await expect(sendBatch(sb, docs, { 'idempotency-key': 'rbatch' })).rejects.toThrow();
    const retry = await sendBatch(sb, docs, { 'idempotency-key': 'rbatch' });
    expect(retry.json.accepted_count).toBe(2);
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 2, batchReplays: 1 });
  });

  it('stalls the answer past the client timeout, after processing', async () => {
    sb.setFaults({ stallMs: { every: 1, max: 1, ms: 600 } });
    await expect(
      call(`${sb.url}/api/v1/send`, {
        body: SAMPLE,
        headers: { 'idempotency-key': 'st' },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    expect(sb.stats()).toMatchObject({ acceptedDocuments: 1, faults: { stall: 1 } });
    const retry = await sendXml(sb, SAMPLE, { 'idempotency-key': 'st' });
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it("stalls 'before': a client that gives up still gets the document processed later", async () => {
    sb.setFaults({ stallMs: { every: 1, max: 1, ms: 300, when: 'before' } });
    await expect(
      call(`${sb.url}/api/v1/send`, { body: SAMPLE, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow(/abort|timeout/i);
    // The stall has not ended yet, so nothing is processed…
    expect(sb.stats().acceptedDocuments).toBe(0);
    // …until it ends.
    for (let i = 0; i < 100 && sb.stats().acceptedDocuments === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(sb.stats().acceptedDocuments).toBe(1);
  });

  it('takes a fault plan over HTTP', async () => {
    const r = await call(`${sb.url}/_sandbox/faults`, {
      body: JSON.stringify({ status429: { every: 1, retryAfterSeconds: 3 } }),
    });
    expect(r.status).toBe(200);
    const s = await sendXml(sb, SAMPLE);
    expect(s.status).toBe(429);
    expect(s.headers['retry-after']).toBe('3');
    expect((await call(`${sb.url}/_sandbox/faults`, { body: '[1]' })).status).toBe(400);
  });

  it('starts with the fault plan given in the options, and reset restores it', async () => {
    const s = await startSandbox({ faults: { status503: { every: 2 } } });
    try {
      expect((await sendXml(s, SAMPLE)).status).toBe(202);
      expect((await sendXml(s, SAMPLE)).status).toBe(503);
      s.setFaults({});
      expect((await sendXml(s, SAMPLE)).status).toBe(202);
      s.reset();
      expect((await sendXml(s, SAMPLE)).status).toBe(202);
      expect((await sendXml(s, SAMPLE)).status).toBe(503);
    } finally {
      await s.close();
    }
  });
});

describe('sandbox outage', () => {
  /** A fresh connection each time, so a refused connect is seen as such (not a stale socket). */
  async function version(sb: SandboxHandle): Promise<number | string> {
    const fresh = new Agent({ pipelining: 0 });
    try {
      const res = await request(`${sb.url}/api/v1/version`, { dispatcher: fresh });
      await res.body.text();
      return res.statusCode;
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    } finally {
      await fresh.close();
    }
  }

  it('refuses connections during an outage and listens again on the same port after it', async () => {
    const sb = await startSandbox();
    try {
      const { port } = sb;
      const held = await call(`${sb.url}/api/v1/version`); // a kept-alive socket in `agent`
      expect(held.status).toBe(200);
      const r = await call(`${sb.url}/_sandbox/outage`, { body: JSON.stringify({ ms: 300 }) });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ outageMs: 300 });
      // The outage starts once the answer is written; wait for the refusal, not a fixed time.
      await expect.poll(() => version(sb), { timeout: 2_000, interval: 10 }).toBe('ECONNREFUSED');
      await sb.outageEnded();
      expect(sb.port).toBe(port);
      expect(await version(sb)).toBe(200);
      expect((await call(`${sb.url}/api/v1/version`)).status).toBe(200);
    } finally {
      await sb.close();
    }
  });

  it('refuses an outage without a sensible duration, and close ends a pending outage', async () => {
    const sb = await startSandbox();
    try {
      expect(
        (await call(`${sb.url}/_sandbox/outage`, { body: JSON.stringify({ ms: -1 }) })).status,
      ).toBe(400);
      expect((await call(`${sb.url}/_sandbox/outage`, { body: '{}' })).status).toBe(400);
      await sb.outage(60_000);
      expect(await version(sb)).toBe('ECONNREFUSED');
    } finally {
      await sb.close();
    }
    // The port is not taken again after close, and nothing keeps the process alive.
    await sb.outageEnded();
    expect(await version(sb)).toBe('ECONNREFUSED');
  });
});

describe('sandbox rate limiting', () => {
  async function withSandbox(opts: SandboxOptions, fn: (s: SandboxHandle) => Promise<void>) {
    const s = await startSandbox(opts);
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }

  it('answers 429 with Retry-After beyond the configured requests per second', async () => {
    const clock = manualClock();
    await withSandbox({ rateLimit: { requestsPerSecond: 5 }, now: clock.now }, async (s) => {
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => call(`${s.url}/peppol/version`)),
      );
      const limited = replies.filter((r) => r.status === 429);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
      expect(limited).toHaveLength(7);
      for (const r of limited) {
        expect(r.headers['retry-after']).toBe('1');
        expect(r.json.error.code).toBe('RATE_LIMITED');
      }
      expect(s.stats().rateLimited).toBe(7);
      clock.advance(400); // two tokens back at 5 per second
      const later = await Promise.all(
        Array.from({ length: 3 }, () => call(`${s.url}/peppol/version`)),
      );
      expect(later.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    });
  });

  it('limits batches per minute when asked', async () => {
    const clock = manualClock();
    await withSandbox({ rateLimit: { batchesPerMinute: 2 }, now: clock.now }, async (s) => {
      const batch = () => sendBatch(s, [{ id: `b-${Math.random()}`, xml: SAMPLE }]);
      expect((await batch()).status).toBe(200);
      expect((await batch()).status).toBe(200);
      const third = await batch();
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('30');
      // Single sends are not batches.
      expect((await sendXml(s, SAMPLE)).status).toBe(202);
      clock.advance(30_000);
      expect((await batch()).status).toBe(200);
    });
  });

  it('uses real time by default', async () => {
    await withSandbox({ rateLimit: { requestsPerSecond: 50, burst: 2 } }, async (s) => {
      const replies = await Promise.all(
        Array.from({ length: 20 }, () => call(`${s.url}/peppol/version`)),
      );
      expect(replies.filter((r) => r.status === 429).length).toBeGreaterThan(5);
    });
  });
});

describe('sandbox command', () => {
  it('prints the listening line and stops on SIGTERM', async () => {
    const lines: string[] = [];
    const signals = new EventEmitter();
    const handle = await runSandboxCommand(
      { port: 0, latencyMs: 0, stepMs: 10 },
      { write: (l) => lines.push(l), signals: signals as unknown as NodeJS.Process },
    );
    expect(lines).toEqual([`Sandbox access point listening on ${handle.url}`]);
    expect((await call(`${handle.url}/peppol/version`)).status).toBe(200);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    signals.emit('SIGTERM');
    await handle.stopped;
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    await expect(call(`${handle.url}/peppol/version`)).rejects.toThrow();
  });

  it('parses flags and SANDBOX_* environment variables', () => {
    expect(
      parseSandboxArgs(['--port', '8080', '--latency-ms=50', '--rate', '100', '--watch-stdin'], {
        SANDBOX_STEP_MS: '25',
        SANDBOX_FAULTS: '{"status503":{"every":5}}',
      }),
    ).toEqual({
      port: 8080,
      host: undefined,
      latencyMs: 50,
      rate: 100,
      batchesPerMinute: undefined,
      stepMs: 25,
      basePath: undefined,
      faults: '{"status503":{"every":5}}',
      watchStdin: true,
    });
    expect(() => parseSandboxArgs(['--bogus', '1'])).toThrow(/Unknown option --bogus/);
    expect(() => parseSandboxArgs(['--port', 'abc'])).toThrow(/--port must be a number/);
  });

  it('refuses a fault plan that is not JSON', async () => {
    await expect(runSandboxCommand({ faults: '{nope' }, { write: () => {} })).rejects.toThrow(
      /--faults/,
    );
  });
});
