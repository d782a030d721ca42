import type { FaultCounts } from './faults';
import type { EndpointStats, SandboxStats } from './types';

/** One accepted document, as listed by `GET /_sandbox/accepted`. */
export interface AcceptedEntry {
  key: string | null;
  sha256: string;
  documentNumber: string | null;
  transactionId: string;
}

const MAX_LISTED_DUPLICATE_NUMBERS = 1000;

/** Counters behind {@link SandboxStats}; cheap to update on every request. */
export class StatsRecorder {
  since = Date.now();
  requestsTotal = 0;
  byEndpoint = new Map<string, EndpointStats>();
  accepted: AcceptedEntry[] = [];
  acceptedByKey = 0;
  rejectedDocuments = 0;
  idempotentReplays = 0;
  batchReplays = 0;
  idempotencyConflicts = 0;
  rateLimited = 0;
  private readonly acceptsByHash = new Map<string, number>();
  private readonly acceptsByNumber = new Map<string, number>();
  private readonly duplicateNumbers = new Set<string>();

  /** Count one answered (or reset) API request. */
  recordRequest(endpoint: string, status: number | 'reset'): void {
    this.requestsTotal++;
    let e = this.byEndpoint.get(endpoint);
    if (!e) {
      e = { total: 0, byStatus: {} };
      this.byEndpoint.set(endpoint, e);
    }
    e.total++;
    const k = String(status);
    e.byStatus[k] = (e.byStatus[k] ?? 0) + 1;
  }

  /** Count one accepted document (a new transaction). */
  recordAccept(entry: AcceptedEntry): void {
    this.accepted.push(entry);
    if (entry.key !== null) this.acceptedByKey++;
    this.acceptsByHash.set(entry.sha256, (this.acceptsByHash.get(entry.sha256) ?? 0) + 1);
    if (entry.documentNumber !== null) {
      const n = (this.acceptsByNumber.get(entry.documentNumber) ?? 0) + 1;
      this.acceptsByNumber.set(entry.documentNumber, n);
      if (n === 2) this.duplicateNumbers.add(entry.documentNumber);
    }
  }

  /** Forget everything. */
  clear(): void {
    this.since = Date.now();
    this.requestsTotal = 0;
    this.byEndpoint.clear();
    this.accepted = [];
    this.acceptedByKey = 0;
    this.rejectedDocuments = 0;
    this.idempotentReplays = 0;
    this.batchReplays = 0;
    this.idempotencyConflicts = 0;
    this.rateLimited = 0;
    this.acceptsByHash.clear();
    this.acceptsByNumber.clear();
    this.duplicateNumbers.clear();
  }

  /** A JSON-safe snapshot. */
  snapshot(faults: FaultCounts, transactions: number): SandboxStats {
    const byEndpoint: Record<string, EndpointStats> = {};
    for (const [k, v] of this.byEndpoint)
      byEndpoint[k] = { total: v.total, byStatus: { ...v.byStatus } };
    const numbers: string[] = [];
    for (const n of this.duplicateNumbers) {
      if (numbers.length >= MAX_LISTED_DUPLICATE_NUMBERS) break;
      numbers.push(n);
    }
    return {
      since: new Date(this.since).toISOString(),
      requests: { total: this.requestsTotal, byEndpoint },
      acceptedDocuments: this.accepted.length,
      acceptedByKey: this.acceptedByKey,
      acceptedWithoutKey: this.accepted.length - this.acceptedByKey,
      rejectedDocuments: this.rejectedDocuments,
      distinctBodies: this.acceptsByHash.size,
      duplicateContentAccepts: this.accepted.length - this.acceptsByHash.size,
      duplicateInvoiceNumbers: { count: this.duplicateNumbers.size, numbers },
      idempotentReplays: this.idempotentReplays,
      batchReplays: this.batchReplays,
      idempotencyConflicts: this.idempotencyConflicts,
      rateLimited: this.rateLimited,
      faults: { ...faults },
      transactions,
    };
  }
}
