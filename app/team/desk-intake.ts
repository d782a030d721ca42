/**
 * A desk's intake on a team outbox: each file is hashed (its team key), the team is asked which
 * keys it already has, and only the new files are checked (the validation pool, its verdicts
 * cached by content) and their receivers looked up (the access point's lookup through the
 * participant cache) before they are put on the team's queue as `queued`, `invalid` or
 * `unreachable`, with the same plain problems as on a single desk.
 */
import type { AccessPointClient } from '../access-point/client';
import type { ParticipantCache } from '../caches/participant-cache';
import { canonicalParticipantId } from '../domain/peppol-id';
import {
  intakeFailed,
  receiverDoesNotAccept,
  receiverNotOnPeppol,
  validationFailed,
  type Problem,
} from '../domain/problems';
import { capabilityAccepts, wantedFor } from '../queue/stages/resolve';
import type { CheckResult, DocumentSummary } from '../validation/types';
import { teamKeyOf, type NewTeamDocument, type TeamProblem } from './store';

/** What intake needs from the desk (read at use: a settings change may swap them). */
export interface IntakeDeps {
  check(bytes: Uint8Array): Promise<CheckResult>;
  client(): AccessPointClient;
  participants(): ParticipantCache;
  /** Told of each lookup's time (the metrics' `lookup` stage). */
  onLookup?(ms: number): void;
}

/** One file ready for the team's queue (or refused by its state and problem). */
export interface CheckedFile {
  index: number;
  doc: NewTeamDocument;
}

/** The team key of every file (sha256 of its exact bytes). */
export function keysOf(files: readonly { bytes: Uint8Array }[]): string[] {
  return files.map((f) => teamKeyOf(f.bytes));
}

/** Check and look up these new files; one entry per file, in order. */
export async function checkNewFiles(
  deps: IntakeDeps,
  files: readonly { index: number; name: string; bytes: Uint8Array; key: string }[],
): Promise<CheckedFile[]> {
  return Promise.all(files.map(async (f) => ({ index: f.index, doc: await checkOne(deps, f) })));
}

async function checkOne(
  deps: IntakeDeps,
  f: { name: string; bytes: Uint8Array; key: string },
): Promise<NewTeamDocument> {
  const base = {
    key: f.key,
    fileName: f.name,
    body: f.bytes,
    docType: null,
    invoiceNumber: null,
    senderId: null,
    receiverId: null,
    buyerName: null,
    amount: null,
    currency: null,
    issueDate: null,
  } as const;
  const result = await deps.check(f.bytes);
  if (!result.ok) {
    return { ...base, state: 'invalid', problem: teamProblem(intakeFailed(result.error)) };
  }
  const fields = fieldsOf(result.summary);
  const doc = { ...base, ...fields };
  const fatal = result.verdict.findings.filter((x) => x.flag === 'fatal');
  if (!result.verdict.valid || fatal.length > 0) {
    return { ...doc, state: 'invalid', problem: teamProblem(validationFailed(fatal)) };
  }
  const problem = await receiverProblem(deps, result.summary, fields.receiverId);
  return problem
    ? { ...doc, state: 'unreachable', problem: teamProblem(problem) }
    : { ...doc, state: 'queued', problem: null };
}

/** The row's columns from the document's summary (as the single desk fills them). */
function fieldsOf(s: DocumentSummary) {
  return {
    docType: s.docType,
    invoiceNumber: s.invoiceNumber,
    senderId: s.sellerEndpoint
      ? canonicalParticipantId(s.sellerEndpoint.scheme, s.sellerEndpoint.value)
      : null,
    receiverId: s.buyerEndpoint
      ? canonicalParticipantId(s.buyerEndpoint.scheme, s.buyerEndpoint.value)
      : null,
    buyerName: s.buyerName,
    amount: s.payableAmount,
    currency: s.currency,
    issueDate: s.issueDate,
  };
}

/**
 * Why the receiver cannot take this document, or null when it can (or when the lookup could not
 * be made: the access point does its own lookup when the document is sent, as on a single desk).
 */
async function receiverProblem(
  deps: IntakeDeps,
  summary: DocumentSummary,
  receiver: string | null,
): Promise<Problem | null> {
  if (!receiver) return receiverNotOnPeppol(null);
  const entry = await deps.participants().get(receiver, async () => {
    const started = performance.now();
    const outcome = await deps.client().lookup(receiver);
    deps.onLookup?.(performance.now() - started);
    return outcome.kind === 'ok' ? outcome.value : null;
  });
  if (!entry) return null;
  const answer = entry.answer;
  if (!answer.found) return receiverNotOnPeppol(receiver);
  const wanted = wantedFor(summary.docType, summary);
  if (
    Array.isArray(answer.capabilities) &&
    answer.capabilities.length > 0 &&
    !answer.capabilities.some((c) => capabilityAccepts(c, wanted))
  ) {
    return receiverDoesNotAccept(receiver, summary.docType);
  }
  return null;
}

/** A domain problem as the team store keeps it. */
export function teamProblem(p: Problem): TeamProblem {
  return { code: p.code, message: p.message, action: p.action };
}
