import { createHash, randomBytes } from 'node:crypto';
import { IdempotencyStore } from './idempotency-store';
import {
  findParticipant,
  lookupAnswer,
  makeParticipantId,
  parseParticipantId,
  participantKey,
  SANDBOX_AP_ID,
  type ParticipantId,
} from './participants';
import { StatsRecorder } from './stats-recorder';
import { TransactionStore } from './transactions';
import {
  inspectDocument,
  lightValidate,
  MalformedXmlError,
  xmlText,
  type DocumentFacts,
} from './ubl';
import type { FaultPlan } from './types';
import {
  errorAnswer,
  LIMITS,
  type Answer,
  type DocumentOutcome,
  type ErrorInfo,
  type RequestContext,
} from './answers';

/** Settings of {@link SandboxCore}. */
export interface CoreSettings {
  basePath: string;
  stepMs: number;
  slowSendingMs: number;
  lookupNotFound: 'status-404' | 'found-false';
  now: () => number;
}

interface BatchItem {
  id: string | null;
  status: 'accepted' | 'rejected';
  transaction_id?: string;
  error?: ErrorInfo;
}

/**
 * The sandbox's state and endpoint logic, independent of HTTP plumbing: documents, idempotency
 * keys, transactions and counters. Every method is synchronous, so a lookup-then-store of an
 * idempotency key can never interleave with another request.
 */
export class SandboxCore {
  /** Counters behind the stats endpoint. */
  readonly stats = new StatsRecorder();
  /** Transactions created by accepted documents. */
  readonly transactions: TransactionStore;
  // Send keys and batch item ids share one space: the client uses a document's key for both.
  private readonly documentKeys: IdempotencyStore<DocumentOutcome>;
  private readonly batchKeys: IdempotencyStore<Answer>;
  private readonly idPrefix = randomBytes(3).toString('hex');
  private sequence = 0;

  constructor(private readonly settings: CoreSettings) {
    this.transactions = new TransactionStore(
      { stepMs: settings.stepMs, slowSendingMs: settings.slowSendingMs },
      settings.now,
    );
    this.documentKeys = new IdempotencyStore(settings.now);
    this.batchKeys = new IdempotencyStore(settings.now);
  }

  /** Forget all documents, keys, transactions and counters. */
  clear(): void {
    this.stats.clear();
    this.transactions.clear();
    this.documentKeys.clear();
    this.batchKeys.clear();
  }

  /** A new opaque id such as `txn_1a2b3c_000042`. */
  newId(prefix: string): string {
    return `${prefix}_${this.idPrefix}_${(++this.sequence).toString(36).padStart(6, '0')}`;
  }

  /** `GET /peppol/version` and `/api/v1/version`. */
  version(): Answer {
    return {
      status: 200,
      body: {
        version: '1.0.0-sandbox',
        peppol_ap_id: SANDBOX_AP_ID,
        environment: 'sandbox',
        status: 'operational',
        // Ours: an identical batch under the same Idempotency-Key gets the first answer.
        batch_idempotency: true,
      },
    };
  }

  /** `POST /api/v1/send`: one raw XML document. */
  send(body: Buffer, ctx: RequestContext): Answer {
    const hash = sha256(body);
    const key = ctx.idempotencyKey;
    if (key !== null) {
      const found = this.documentKeys.lookup(ctx.apiKey, key, hash);
      if (found.kind === 'replay') {
        this.stats.idempotentReplays++;
        return { ...this.sendAnswer(found.value), headers: { 'idempotent-replayed': 'true' } };
      }
      if (found.kind === 'conflict') {
        this.stats.idempotencyConflicts++;
        return errorAnswer(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different document. Use a new key for a different document.',
          ctx.requestId,
        );
      }
    }
    const outcome = this.processDocument(body, hash, key, null, ctx);
    if (key !== null) this.documentKeys.store(ctx.apiKey, key, hash, outcome);
    return this.sendAnswer(outcome);
  }

  /** `POST /api/v1/send/batch` and `/api/v1/batch`: `{documents: [{id, xml}]}`. */
  batch(body: Buffer, ctx: RequestContext): Answer {
    const hash = sha256(body);
    const batchKey = ctx.idempotencyKey;
    if (batchKey !== null) {
      const found = this.batchKeys.lookup(ctx.apiKey, batchKey, hash);
      if (found.kind === 'replay') {
        this.stats.batchReplays++;
        return { ...found.value, headers: { 'idempotent-replayed': 'true' } };
      }
      if (found.kind === 'conflict') {
        this.stats.idempotencyConflicts++;
        return errorAnswer(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was already used with a different batch. Use a new key for a different batch.',
          ctx.requestId,
        );
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return errorAnswer(400, 'INVALID_JSON', 'The batch body is not valid JSON.', ctx.requestId);
    }
    const documents = (parsed as { documents?: unknown } | null)?.documents;
    if (!Array.isArray(documents) || documents.length === 0) {
      return errorAnswer(
        400,
        'INVALID_REQUEST',
        'The batch body must be {"documents": [{"id": "...", "xml": "..."}]} with at least one document.',
        ctx.requestId,
      );
    }
    if (documents.length > LIMITS.batchDocuments) {
      return errorAnswer(
        400,
        'TOO_MANY_DOCUMENTS',
        `A batch holds at most ${LIMITS.batchDocuments} documents; this one has ${documents.length}. Split it.`,
        ctx.requestId,
      );
    }
    const batchId = this.newId('batch');
    const results = documents.map((item) => this.batchItem(item, batchId, ctx));
    const acceptedCount = results.filter((r) => r.status === 'accepted').length;
    const answer: Answer = {
      status: 200,
      body: {
        batch_id: batchId,
        total_count: results.length,
        accepted_count: acceptedCount,
        rejected_count: results.length - acceptedCount,
        results,
      },
    };
    if (batchKey !== null) this.batchKeys.store(ctx.apiKey, batchKey, hash, answer);
    return answer;
  }

  /**
   * `POST /api/v1/validate`: light checks only, or the fault plan's forced verdict; 400
   * INVALID_XML when not well-formed.
   */
  validate(body: Buffer, ctx: RequestContext, forced?: FaultPlan['validateVerdict']): Answer {
    try {
      const facts = inspectDocument(xmlText(body));
      if (forced) {
        const errors = forced.valid
          ? []
          : (forced.errors ?? [
              {
                rule: 'SANDBOX-VALIDATOR',
                location: `/${facts.rootName}`,
                message: 'The access point validator rejects this document (sandbox fault plan).',
              },
            ]);
        return { status: 200, body: { valid: forced.valid, errors, warnings: [] } };
      }
      const errors = lightValidate(facts);
      return { status: 200, body: { valid: errors.length === 0, errors, warnings: [] } };
    } catch (err) {
      if (err instanceof MalformedXmlError) {
        return errorAnswer(
          400,
          'INVALID_XML',
          'The document is not well-formed XML.',
          ctx.requestId,
          err.message,
        );
      }
      throw err;
    }
  }

  /** `GET …/participants/lookup` in its three query forms. */
  lookup(query: URLSearchParams, ctx: RequestContext): Answer {
    const peppolId = query.get('peppol_id');
    const scheme = query.get('scheme');
    const identifier = query.get('identifier');
    let id: ParticipantId | null;
    if (peppolId !== null) id = parseParticipantId(peppolId);
    else if (scheme !== null && identifier !== null) id = makeParticipantId(scheme, identifier);
    else if (identifier !== null) id = parseParticipantId(identifier);
    else {
      return errorAnswer(
        400,
        'MISSING_PARTICIPANT_ID',
        'Give the participant as ?peppol_id=0208:0123456789, ?scheme=0208&identifier=0123456789 or ?identifier=0208:0123456789.',
        ctx.requestId,
      );
    }
    if (id === null) {
      return errorAnswer(
        400,
        'INVALID_PARTICIPANT_ID',
        'A Peppol participant id is <4-digit scheme>:<identifier>, e.g. 0208:0123456789.',
        ctx.requestId,
      );
    }
    const participant = findParticipant(id);
    const answer = lookupAnswer(participant);
    if (participant.registered || this.settings.lookupNotFound === 'found-false') {
      return { status: 200, body: answer };
    }
    const notFound = errorAnswer(
      404,
      'PARTICIPANT_NOT_FOUND',
      `${participantKey(id)} is not registered on the Peppol network.`,
      ctx.requestId,
    );
    return { status: 404, body: { ...answer, ...(notFound.body as object) } };
  }

  /** `GET /api/v1/transactions?limit=N[&status=S]`, newest first. */
  listTransactions(query: URLSearchParams, ctx: RequestContext): Answer {
    const rawLimit = query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) {
      return errorAnswer(
        400,
        'INVALID_LIMIT',
        'limit must be a whole number of at least 1.',
        ctx.requestId,
      );
    }
    const { transactions, total } = this.transactions.list(
      Math.min(limit, 1000),
      query.get('status'),
    );
    return { status: 200, body: { transactions, total, limit: Math.min(limit, 1000) } };
  }

  /** `GET /api/v1/transactions/{id}`. */
  getTransaction(id: string, ctx: RequestContext): Answer {
    const view = this.transactions.view(id);
    if (view) return { status: 200, body: view };
    return errorAnswer(
      404,
      'TRANSACTION_NOT_FOUND',
      `No transaction with id ${id}.`,
      ctx.requestId,
    );
  }

  /** The compact list behind `GET /_sandbox/accepted`. */
  acceptedList(): Answer {
    const rows = this.stats.accepted.map((a) => [
      a.key,
      a.sha256,
      a.documentNumber,
      a.transactionId,
    ]);
    return {
      status: 200,
      body: {
        count: rows.length,
        fields: ['key', 'sha256', 'document_number', 'transaction_id'],
        rows,
      },
    };
  }

  private sendAnswer(outcome: DocumentOutcome): Answer {
    if (!outcome.accepted) return { status: outcome.status, body: { error: outcome.error } };
    return {
      status: 202,
      body: { id: outcome.transactionId, transaction_id: outcome.transactionId, status: 'pending' },
      headers: {
        location: `${this.settings.basePath}/api/v1/transactions/${outcome.transactionId}`,
      },
    };
  }

  private batchItem(item: unknown, batchId: string, ctx: RequestContext): BatchItem {
    const rawId = (item as { id?: unknown } | null)?.id;
    const id =
      typeof rawId === 'string' && rawId.trim() !== ''
        ? rawId.trim()
        : typeof rawId === 'number'
          ? String(rawId)
          : null;
    const xml = (item as { xml?: unknown } | null)?.xml;
    const reject = (code: string, message: string): BatchItem => {
      this.stats.rejectedDocuments++;
      return {
        id,
        status: 'rejected',
        error: { code, message, details: [], request_id: ctx.requestId },
      };
    };
    if (id === null) {
      return reject('MISSING_ID', 'Every batch document needs an "id" (its idempotency key).');
    }
    if (typeof xml !== 'string' || xml === '') {
      return reject(
        'INVALID_REQUEST',
        'Every batch document needs an "xml" string with the UBL document.',
      );
    }
    if (Buffer.byteLength(xml, 'utf8') > LIMITS.documentBytes) {
      return reject('DOCUMENT_TOO_LARGE', 'A document may be at most 15 MB.');
    }
    const hash = sha256(xml);
    const found = this.documentKeys.lookup(ctx.apiKey, id, hash);
    if (found.kind === 'replay') {
      this.stats.idempotentReplays++;
      return itemResult(id, found.value);
    }
    if (found.kind === 'conflict') {
      this.stats.idempotencyConflicts++;
      return reject(
        'IDEMPOTENCY_KEY_REUSED',
        'This id was already used with a different document. Use a new id for a different document.',
      );
    }
    const outcome = this.processDocument(xml, hash, id, batchId, ctx);
    this.documentKeys.store(ctx.apiKey, id, hash, outcome);
    return itemResult(id, outcome);
  }

  /** Route one document: checks, receiver, then a new transaction. */
  private processDocument(
    /** The document: bytes as sent singly, or the text of a batch item. */
    xml: string | Buffer,
    hash: string,
    key: string | null,
    batchId: string | null,
    ctx: RequestContext,
  ): DocumentOutcome {
    const requestId = ctx.requestId;
    const reject = (
      status: number,
      code: string,
      message: string,
      details: ErrorInfo['details'] = [],
    ) => {
      this.stats.rejectedDocuments++;
      return {
        accepted: false as const,
        status,
        error: { code, message, details, request_id: requestId },
      };
    };
    let facts: DocumentFacts;
    try {
      facts = inspectDocument(typeof xml === 'string' ? xml : xmlText(xml));
    } catch (err) {
      if (!(err instanceof MalformedXmlError)) throw err;
      return reject(400, 'INVALID_XML', 'The document is not well-formed XML.', err.message);
    }
    const findings = lightValidate(facts);
    if (facts.kind === null) {
      return reject(
        422,
        'UNSUPPORTED_DOCUMENT_TYPE',
        `Only UBL Invoice and CreditNote documents can be sent; this one is ${facts.rootName}.`,
        findings,
      );
    }
    if (findings.length > 0) {
      const missingReceiver = findings.some(
        (f) => f.rule === 'PEPPOL-EN16931-R010' || f.rule === 'BR-63',
      );
      return reject(
        422,
        missingReceiver ? 'MISSING_RECEIVER' : 'VALIDATION_FAILED',
        missingReceiver
          ? "The buyer's Peppol address (AccountingCustomerParty/Party/EndpointID with schemeID) is missing."
          : `The document failed validation: ${findings[0]!.message}`,
        findings,
      );
    }
    const endpoint = facts.receiverEndpoint!;
    const id = makeParticipantId(endpoint.schemeId ?? '', endpoint.value);
    if (id === null) {
      return reject(
        422,
        'INVALID_RECEIVER',
        `The buyer's Peppol address ${endpoint.schemeId}:${endpoint.value} is not a valid participant id (4-digit scheme, identifier without spaces).`,
      );
    }
    const receiver = findParticipant(id);
    const receiverText = `${id.scheme}:${id.value}`;
    if (!receiver.registered) {
      return reject(
        404,
        'RECEIVER_NOT_REGISTERED',
        `The receiver ${receiverText} is not registered on the Peppol network, so the document cannot be delivered. Check the buyer's Peppol id or send the invoice another way.`,
      );
    }
    if (!receiver.accepts.includes(facts.kind)) {
      return reject(
        422,
        'DOCUMENT_TYPE_NOT_ACCEPTED',
        `The receiver ${receiverText} does not accept ${facts.kind === 'Invoice' ? 'invoices' : 'credit notes'} on Peppol.`,
      );
    }
    const transactionId = this.newId('txn');
    this.transactions.add({
      id: transactionId,
      createdAt: this.settings.now(),
      receiver: receiverText,
      documentKind: facts.kind,
      documentNumber: facts.documentNumber,
      behaviour: ctx.deliveryFails ? 'invalid-cert' : receiver.behaviour,
      batchId,
    });
    this.stats.recordAccept({
      key,
      sha256: hash,
      documentNumber: facts.documentNumber,
      transactionId,
    });
    return { accepted: true, transactionId };
  }
}

function itemResult(id: string, outcome: DocumentOutcome): BatchItem {
  return outcome.accepted
    ? { id, status: 'accepted', transaction_id: outcome.transactionId }
    : { id, status: 'rejected', error: outcome.error };
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
