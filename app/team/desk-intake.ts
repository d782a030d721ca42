/**
 * A desk's intake on a team outbox: each file is hashed (its team key), the team is asked which
 * keys it already has, and only the new files are checked (the validation pool, its verdicts
 * cached by content) and their receivers looked up (the access point's lookup through the
 * participant cache) before they are put on the team's queue as `queued`, `invalid` or
 * `unreachable`, with the same plain problems as on a single desk (a receiver whose lookup could
 * not be made is queued anyway, its timeline saying so in the single desk's words and with its
 * technical line). With
 * `shared`, what this desk's caches miss is first read from the team's (one read for all the
 * files, then one for all their receivers), and the answers it had to ask the access point for
 * are shared. With `remote` and the setting `remoteValidation` on, the access point's own check
 * is asked too (./desk-remote-check): a disagreement is `held` for the clerk, as on a single desk.
 */
import { failureReason, type AccessPointClient, type ApOutcome } from '../access-point/client';
import type { AddResult, DocumentState, IncomingFile } from '../contract';
import type { ParticipantCache } from '../caches/participant-cache';
import type { TeamCacheSharing } from './shared-caches';
import type { DeskRemoteCheck } from './desk-remote-check';
import { canonicalParticipantId } from '../domain/peppol-id';
import {
  checksDisagree,
  intakeFailed,
  problemFromApError,
  receiverDoesNotAccept,
  receiverNotOnPeppol,
  validationFailed,
  type ApErrorLike,
  type Problem,
} from '../domain/problems';
import { refusalSettlesDoubt, refusedTo } from '../domain/retry-policy';
import { teamSendsAfterCancel } from '../domain/states';
import { BUYER_NOT_CHECKED_DETAIL } from '../domain/lookup-words';
import { lookupUnavailableTechnical } from '../queue/lifecycle/checking';
import { capabilityAccepts, wantedFor } from '../queue/stages/resolve';
import { twoChecks } from '../queue/stages/two-checks';
import { tooLargeMessage } from '../validation';
import type { CheckResult, DocumentSummary } from '../validation/types';
import {
  TEAM_KEY_PREFIX,
  teamKeyOf,
  type NewTeamDocument,
  type TeamOutcome,
  type TeamProblem,
  type TeamStore,
} from './store';
import { BUILT_IN_SANDBOX_REF, type TeamAccessPoint } from './access-point';
import { PRACTICE_SENT_FROM } from './store-rows';

/** What intake needs from the desk (read at use: a settings change may swap them). */
export interface IntakeDeps {
  check(bytes: Uint8Array): Promise<CheckResult>;
  client(): AccessPointClient;
  participants(): ParticipantCache;
  /** Told of each lookup's time (the metrics' `lookup` stage). */
  onLookup?(ms: number): void;
  /** Told of each lookup's answer (or its absence): the connection's health, as on a single desk. */
  noteOutcome?(outcome: ApOutcome<unknown>): void;
  /** The team's shared caches (read before checking, told what was learnt). */
  shared?: TeamCacheSharing;
  /** The access point's own check (asked while the setting `remoteValidation` is on). */
  remote?: DeskRemoteCheck;
}

/** One file ready for the team's queue (or refused by its state and problem). */
export interface CheckedFile {
  index: number;
  doc: NewTeamDocument;
}

/**
 * The files that may go on the queue: what is not a file, larger than `limit` or empty is
 * refused (into `rejected`, in the single desk's words).
 */
export function screenFiles(
  files: readonly IncomingFile[],
  limit: number,
  rejected: AddResult['rejected'],
): IncomingFile[] {
  const ok: IncomingFile[] = [];
  for (const f of files) {
    if (!f || typeof f.name !== 'string' || !(f.bytes instanceof Uint8Array)) {
      rejected.push({ fileName: String(f?.name ?? '?'), message: 'This item is not a file.' });
    } else if (f.bytes.byteLength > limit) {
      rejected.push({ fileName: f.name, message: tooLargeMessage(f.bytes.byteLength, limit) });
    } else if (f.bytes.byteLength === 0) {
      rejected.push({
        fileName: f.name,
        message: 'The file is empty. Export the invoice again from your accounting system.',
      });
    } else ok.push(f);
  }
  return ok;
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
  if (files.length === 0) return [];
  // The key is the prefix and the sha256 of the bytes: the validation cache's key.
  await deps.shared?.prefetchVerdicts(files.map((f) => f.key.slice(TEAM_KEY_PREFIX.length)));
  const checked = await Promise.all(files.map((f) => checkOne(deps, f)));
  await deps.shared?.prefetchLookups(
    checked.flatMap((c) => (c.lookup && c.doc.receiverId ? [c.doc.receiverId] : [])),
  );
  return Promise.all(
    checked.map(async (c, i) => {
      if (!c.lookup) return { index: files[i]!.index, doc: c.doc };
      const problem = await receiverProblem(deps, c.lookup, c.doc.receiverId);
      const doc: NewTeamDocument =
        problem && 'notChecked' in problem
          ? {
              ...c.doc,
              note: BUYER_NOT_CHECKED_DETAIL,
              noteTechnical: lookupUnavailableTechnical(problem.notChecked),
            }
          : problem
            ? { ...c.doc, state: 'unreachable', problem: teamProblem(problem) }
            : c.doc;
      return { index: files[i]!.index, doc };
    }),
  );
}

/** A checked file: refused already, or valid and waiting for its receiver's lookup. */
async function checkOne(
  deps: IntakeDeps,
  f: { name: string; bytes: Uint8Array; key: string },
): Promise<{ doc: NewTeamDocument; lookup: DocumentSummary | null }> {
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
    return {
      doc: {
        ...base,
        state: 'invalid',
        problem: teamProblem(intakeFailed(result.error)),
        unreadNumber: result.error.number ?? null,
      },
      lookup: null,
    };
  }
  const fields = fieldsOf(result.summary);
  const doc = { ...base, ...fields };
  const ours = {
    ...result.verdict,
    valid: result.verdict.valid && !result.verdict.findings.some((x) => x.flag === 'fatal'),
  };
  // Asked whatever our verdict, as on a single desk: a valid invoice we call invalid matters too.
  const remote = deps.remote
    ? await deps.remote.verdict(f.key.slice(TEAM_KEY_PREFIX.length), f.bytes)
    : null;
  // The single desk's rule (app/queue/stages/two-checks.ts), its problems in its words.
  const checks = twoChecks(ours, remote, fields.receiverId !== null);
  if (checks.decision === 'held' && remote) {
    const problem = checksDisagree(fields.docType, ours, remote);
    return { doc: { ...doc, state: 'held', problem: teamProblem(problem) }, lookup: null };
  }
  if (checks.decision !== 'valid') {
    const fatal = checks.findings.filter((x) => x.flag === 'fatal');
    const problem = teamProblem(validationFailed(fatal));
    return { doc: { ...doc, state: 'invalid', problem }, lookup: null };
  }
  return { doc: { ...doc, state: 'queued', problem: null }, lookup: result.summary };
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
    sellerName: s.sellerName,
    amount: s.payableAmount,
    currency: s.currency,
    issueDate: s.issueDate,
  };
}

/**
 * The receiver's lookup could not be made (network, access point error): sent anyway; `notChecked`
 * says what went wrong, if anybody said (the single desk's `why`).
 */
interface NotChecked {
  notChecked: string;
}

/**
 * Why the receiver cannot take this document, null when it can, or NotChecked when the lookup
 * could not be made: queued anyway, saying so, as on a single desk (the access point does its own
 * lookup when the document is sent).
 */
async function receiverProblem(
  deps: IntakeDeps,
  summary: DocumentSummary,
  receiver: string | null,
): Promise<Problem | null | NotChecked> {
  if (!receiver) return receiverNotOnPeppol(null, summary.docType);
  const cache = deps.participants();
  let fetched = false;
  let why = '';
  const entry = await cache.get(receiver, async () => {
    const started = performance.now();
    const outcome = await deps.client().lookup(receiver);
    deps.onLookup?.(performance.now() - started);
    deps.noteOutcome?.(outcome);
    fetched = outcome.kind === 'ok';
    // The same reason as a single desk's lookup, for the timeline's technical line.
    why = failureReason(outcome);
    return outcome.kind === 'ok' ? outcome.value : null;
  });
  if (!entry) return { notChecked: why };
  // Asked here: the team's other desks need not ask again while it is fresh.
  if (fetched) {
    deps.shared?.learntLookup(
      cache.accessPoint,
      receiver,
      entry.answer,
      entry.expiresAt - entry.fetchedAt,
    );
  }
  const answer = entry.answer;
  if (!answer.found) return receiverNotOnPeppol(receiver, summary.docType);
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

/**
 * The outcome of a send the access point refused for good: failed, or "Receiver not on Peppol"
 * for a 404 (refusedTo), as on a single desk.
 */
export function refusedOutcome(error: ApErrorLike): TeamOutcome {
  const problem = teamProblem(problemFromApError(error));
  const settles = refusalSettlesDoubt(problem.code);
  return refusedTo(error.status) === 'unreachable'
    ? { kind: 'failed', problem, to: 'unreachable', settles }
    : { kind: 'failed', problem, settles };
}

/** The timeline's words for a document sent in practice, added again once the team sends for real. */
export const PRACTICE_FOR_REAL_WORDS =
  // Not "for real" (walk 17: said when the team had moved to a Test key, which reaches no buyer).
  "Added again now that the team sends through its provider's access point, no longer the built-in Sandbox: it was sent in practice there, where nothing reaches Peppol. Sent now as a new submission";

/**
 * Of the documents the team already has (`known`), those sent in practice (the built-in Sandbox)
 * go back on the queue to be sent for real, when the team sends for real (`team`, its access
 * point as last read, is not the built-in Sandbox): the single desk's rule (a walk: a month-end
 * folder tried out in the Sandbox, dropped again once the provider was set up, read as sent).
 * Returns the ids sent for real now.
 */
export async function practiceSentForReal(
  store: TeamStore,
  deskId: string,
  team: TeamAccessPoint | null,
  known: ReadonlyMap<string, { id: number; state: DocumentState }>,
): Promise<Set<number>> {
  if (!team || team.id === BUILT_IN_SANDBOX_REF.id) return new Set();
  const ids = [...known.values()].filter((k) => PRACTICE_SENT_FROM.includes(k.state));
  if (ids.length === 0) return new Set();
  const moved = await store.sendPracticeForReal(
    deskId,
    ids.map((k) => k.id),
    PRACTICE_FOR_REAL_WORDS,
  );
  return new Set(moved);
}

/** A file to put on the team's queue; `keptMs` when handed over from the spool (NewTeamDocument). */
export type IntakeFile = IncomingFile & { keptMs?: number };

/**
 * Add files to the team's queue: a file the team already has is `known` (or sent for real, see
 * practiceSentForReal); the new ones are checked, looked up and enqueued. Returns each file's
 * id, in order (null: none).
 */
export async function enqueueFiles(
  o: { store: TeamStore; deskId: string; intake: IntakeDeps; team: TeamAccessPoint | null },
  files: readonly IntakeFile[],
  result?: AddResult,
): Promise<(number | null)[]> {
  const keys = keysOf(files);
  const known = await o.store.known(keys);
  const real = await practiceSentForReal(o.store, o.deskId, o.team, known);
  const ids: (number | null)[] = files.map((_, i) => known.get(keys[i]!)?.id ?? null);
  const fresh = files
    .map((f, i) => ({ index: i, name: f.name, bytes: f.bytes, key: keys[i]! }))
    .filter((f) => !known.has(f.key));
  const checked = await checkNewFiles(o.intake, fresh);
  // What was sent in practice does not hold a second version once the team sends for real.
  const sendsForReal = !!o.team && o.team.id !== BUILT_IN_SANDBOX_REF.id;
  const enqueued = checked.length
    ? await o.store.enqueue(
        o.deskId,
        checked.map((c) => {
          const keptMs = files[c.index]!.keptMs;
          return keptMs === undefined ? c.doc : { ...c.doc, keptMs };
        }),
        sendsForReal,
      )
    : [];
  enqueued.forEach((e, i) => {
    ids[checked[i]!.index] = e.id;
    const entry = { id: e.id, fileName: checked[i]!.doc.fileName };
    if (!e.created) result?.known.push(entry);
    else {
      result?.added.push(entry);
      // Held as it was added (a second version of a live number, or the two checks disagree):
      // "20 added" read as "going out" (walk 17).
      if (e.state === 'held' && result) result.heldForDecision = (result.heldForDecision ?? 0) + 1;
    }
  });
  const sendable = await sendableAfterCancel(o.store, known);
  files.forEach((f, i) => {
    const id = ids[i]!;
    if (!known.has(keys[i]!)) return;
    // Cancelled on its way out: the drop says so, and that Retry sends it (walk 18: "already
    // known" read as taken care of).
    const cancelled = sendable.has(id) ? { cancelled: true } : {};
    if (real.has(id)) result?.added.push({ id, fileName: f.name });
    else result?.known.push({ id, fileName: f.name, ...cancelled });
  });
  return ids;
}

/**
 * Of the known documents, the cancelled ones a Retry sends after all (cancelled on their way out,
 * domain/states teamSendsAfterCancel): read from their timelines, only for those.
 */
async function sendableAfterCancel(
  store: TeamStore,
  known: ReadonlyMap<string, { id: number; state: DocumentState }>,
): Promise<Set<number>> {
  const out = new Set<number>();
  for (const { id, state } of known.values()) {
    if (state !== 'cancelled') continue;
    const cancel = (await store.timeline(id)).findLast((e) => e.toState === 'cancelled');
    if (teamSendsAfterCancel(cancel?.fromState)) out.add(id);
  }
  return out;
}
