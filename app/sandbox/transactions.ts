import type { DeliveryBehaviour, DocumentKind, SandboxResponseCode } from './participants';

/** A transaction as the sandbox stores it; its status is derived from the clock when read. */
export interface TransactionRecord {
  id: string;
  createdAt: number;
  receiver: string;
  documentKind: DocumentKind;
  documentNumber: string | null;
  behaviour: DeliveryBehaviour;
  batchId: string | null;
}

/** Status names of the documented lifecycle. */
export type TransactionStatus = 'pending' | 'processing' | 'sending' | 'delivered' | 'failed';

/** Timing of the simulated lifecycle. */
export interface LifecycleTiming {
  /** Time in each of pending, processing and sending (ms). */
  stepMs: number;
  /** Time in `sending` for the slow test receiver (ms). */
  slowSendingMs: number;
}

const CERTIFICATE_ERROR = {
  code: 'CERTIFICATE_ERROR',
  message:
    "The receiver's access point presented a certificate that is not valid in the Peppol network " +
    '(expired, revoked or not issued by the Peppol PKI). The document was not delivered; ' +
    'ask the receiver to fix their access point, then send it again.',
};

const REJECTION = {
  code: 'RE',
  description:
    'Rejected by the buyer (the sandbox receiver 9915:reject-all rejects every document).',
  reason: 'The order reference is missing; we cannot match this invoice to a purchase order.',
};

/** What each `9915:respond-<code>` receiver says with its answer. */
const RESPONSE_NOTES: Record<SandboxResponseCode, string> = {
  AB: 'Invoice received.',
  IP: 'Invoice is being checked by accounts payable.',
  UQ: 'Please confirm the delivery date on line 2.',
  CA: 'Accepted on condition that the missing delivery note is sent.',
  AP: 'Invoice approved for payment.',
  RE: 'Wrong VAT rate on line 1; please send a credit note and a new invoice.',
  PD: 'Paid on the due date.',
};

/** The business response a behaviour ends with for a document of `kind`, if any. */
function responseOf(
  behaviour: DeliveryBehaviour,
  kind: DocumentKind,
): Record<string, unknown> | null {
  if (behaviour === 'reject-all') return REJECTION;
  if (behaviour.startsWith('respond-')) {
    const [, code, invoicesOnly] = behaviour.split('-') as [string, SandboxResponseCode, string?];
    if (invoicesOnly !== undefined && kind !== 'Invoice') return null;
    return { code, reason: RESPONSE_NOTES[code] };
  }
  return null;
}

/**
 * In-memory transactions. Progression pending → processing → sending → delivered|failed is a pure
 * function of the creation time, so nothing runs in the background.
 */
export class TransactionStore {
  private readonly byId = new Map<string, TransactionRecord>();
  private readonly order: TransactionRecord[] = [];

  constructor(
    private readonly timing: LifecycleTiming,
    private readonly now: () => number,
  ) {}

  /** Number of transactions held. */
  get size(): number {
    return this.order.length;
  }

  /** Store a new transaction. */
  add(record: TransactionRecord): void {
    this.byId.set(record.id, record);
    this.order.push(record);
  }

  /** Forget every transaction. */
  clear(): void {
    this.byId.clear();
    this.order.length = 0;
  }

  /** The API view of one transaction, or null when unknown. */
  view(id: string): Record<string, unknown> | null {
    const record = this.byId.get(id);
    return record ? this.render(record) : null;
  }

  /** The newest `limit` transactions (newest first), optionally only those with `status`. */
  list(
    limit: number,
    status: string | null,
  ): { transactions: Record<string, unknown>[]; total: number } {
    const transactions: Record<string, unknown>[] = [];
    for (let i = this.order.length - 1; i >= 0 && transactions.length < limit; i--) {
      const view = this.render(this.order[i]!);
      if (status === null || view.status === status) transactions.push(view);
    }
    return { transactions, total: this.order.length };
  }

  private render(r: TransactionRecord): Record<string, unknown> {
    const { stepMs, slowSendingMs } = this.timing;
    const elapsed = this.now() - r.createdAt;
    const sendingAt = 2 * stepMs;
    const finalAt = sendingAt + (r.behaviour === 'timeout' ? slowSendingMs : stepMs);
    let status: TransactionStatus;
    let changedAt: number;
    if (elapsed >= finalAt) {
      status = r.behaviour === 'invalid-cert' ? 'failed' : 'delivered';
      changedAt = finalAt;
    } else if (elapsed >= sendingAt) {
      status = 'sending';
      changedAt = sendingAt;
    } else if (elapsed >= stepMs) {
      status = 'processing';
      changedAt = stepMs;
    } else {
      status = 'pending';
      changedAt = 0;
    }
    const view: Record<string, unknown> = {
      id: r.id,
      transaction_id: r.id,
      status,
      created_at: iso(r.createdAt),
      updated_at: iso(r.createdAt + changedAt),
      receiver: r.receiver,
      document_type: r.documentKind,
      document_number: r.documentNumber,
    };
    if (r.batchId !== null) view.batch_id = r.batchId;
    if (status === 'delivered') view.delivered_at = iso(r.createdAt + finalAt);
    if (status === 'failed') view.error = CERTIFICATE_ERROR;
    // The buyer's answer arrives one step after delivery; it does not change the delivery status.
    const responseAt = finalAt + stepMs;
    const response = responseOf(r.behaviour, r.documentKind);
    if (response && elapsed >= responseAt) {
      view.business_response = { ...response, received_at: iso(r.createdAt + responseAt) };
      view.updated_at = iso(r.createdAt + responseAt);
    }
    return view;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
