/**
 * A TeamStore in memory for the desk's tests: the same promises as the real stores (claims with
 * leases on the store's own clock, fenced writes, keys from bytes), plus the faults a test needs:
 * `down` (every call fails as TEAM_STORE_UNAVAILABLE) and `expireLease(id)`. Several desks in one
 * process share one instance. The real stores have their own contract tests (team-store branch).
 */
import type { DocumentSort, DocumentState } from '../../app/contract';
import { teamSort } from '../../app/team/list-order';
import { isAllowedTransition } from '../../app/domain/states';
import { sentBeforeTeamMoved } from '../../app/domain/problems';
import { pollEvents } from '../../app/team/poll-rows';
import {
  guardNumber,
  NUMBER_LIVE_STATES,
  numberOf,
  replaceableWhile,
  replacedByWords,
  replacesWordsOf,
  type NumberTaken,
  type ReplacedDoc,
} from '../../app/team/number-guard';

import { CLERK_CANCEL_FROM, PRACTICE_SENT_FROM } from '../../app/team/store-rows';
import { NOT_RETRIED_ACTIONS } from '../../app/engine/user-actions';
import { handledFrom, handledTo } from '../../app/domain/states';
import type {
  CancelledTeamDoc,
  ChangeNotice,
  Claim,
  ClaimRef,
  DeskInfo,
  DeskPresence,
  EnqueueResult,
  FinishItem,
  NewTeamDocument,
  PollClaim,
  PollKind,
  PollRef,
  PollResult,
  TeamAcceptedSeries,
  TeamDocument,
  TeamEvent,
  TeamListQuery,
  TeamOutcome,
  TeamProblem,
  TeamSettingRow,
  TeamStore,
  SentVia,
} from '../../app/team/store';
import { MemoryTeamShared } from './team-memory-shared';
import type {
  AccessPointRef,
  AdoptAccessPointResult,
  TeamAccessPoint,
} from '../../app/team/access-point';

interface Row extends TeamDocument {
  body: Uint8Array;
  leaseUntil: number;
  poll?: {
    next: number | null;
    owner: string | null;
    fence: number;
    acceptedAt: number;
    deliveredAt: number | null;
    response: string | null;
    responseAt: number | null;
  };
}

export class MemoryTeamStore implements TeamStore {
  readonly dialect = 'sqlite' as const;
  readonly label = 'memory-team';
  down = false;
  private nextId = 1;
  private readonly rows = new Map<number, Row>();
  private readonly byKey = new Map<string, number>();
  private readonly events = new Map<number, TeamEvent[]>();
  private readonly deskRows = new Map<string, DeskPresence>();
  private readonly listeners = new Set<(ids: readonly number[], notice?: ChangeNotice) => void>();
  /** The store's clock (the "database clock"). */
  now: () => number = Date.now;
  readonly shared = new MemoryTeamShared(
    () => this.gate(),
    () => this.now(),
    (id) => this.deskRows.get(id)?.name ?? id,
  );

  private gate(): void {
    if (this.down) {
      throw Object.assign(new Error(`The team database at ${this.label} cannot be reached.`), {
        code: 'TEAM_STORE_UNAVAILABLE',
      });
    }
  }

  private move(r: Row, to: DocumentState, desk: string | null, detail: string | null): void {
    if (!isAllowedTransition(r.state, to)) throw new Error(`illegal ${r.state} → ${to}`);
    this.events.get(r.id)!.push({ at: this.now(), desk, fromState: r.state, toState: to, detail });
    r.state = to;
    r.updatedAt = this.now();
  }

  private notify(ids: number[]): void {
    if (ids.length === 0) return;
    queueMicrotask(() => {
      for (const l of this.listeners) l(ids);
    });
  }

  /** Let the lease of `id` end now (as `UPDATE … SET lease_until = now()` would). */
  expireLease(id: number): void {
    this.rows.get(id)!.leaseUntil = 0;
  }

  async migrate(): Promise<void> {
    this.gate();
  }
  async close(): Promise<void> {}

  async heartbeat(desk: DeskInfo, announce = false): Promise<void> {
    this.gate();
    this.deskRows.set(desk.id, { ...desk, lastSeenAt: this.now(), online: true });
    if (announce) this.announce(desk.id);
  }
  async signOff(deskId: string): Promise<void> {
    this.gate();
    const d = this.deskRows.get(deskId);
    if (d) d.lastSeenAt = 0;
    this.announce(deskId);
  }

  private announce(desk: string): void {
    queueMicrotask(() => {
      for (const l of this.listeners) l([], { desk, due: false, presence: true });
    });
  }
  async desks(onlineWithinMs: number): Promise<DeskPresence[]> {
    this.gate();
    return [...this.deskRows.values()].map((d) => ({
      ...d,
      online: this.now() - d.lastSeenAt <= onlineWithinMs,
    }));
  }

  async known(keys: readonly string[]) {
    this.gate();
    const out = new Map<string, { id: number; state: DocumentState }>();
    for (const k of keys) {
      const id = this.byKey.get(k);
      if (id !== undefined) out.set(k, { id, state: this.rows.get(id)!.state });
    }
    return out;
  }

  async enqueue(
    deskId: string,
    docs: readonly NewTeamDocument[],
    real = false,
  ): Promise<EnqueueResult[]> {
    this.gate();
    const out: EnqueueResult[] = [];
    const created: number[] = [];
    for (const doc of docs) {
      // Earlier versions are replaced as the real stores replace them (app/team/number-guard.ts):
      // waiting under the same file name, then, when it goes on, the failures of its number.
      const n = numberOf(doc);
      const same = (r: Row) =>
        n !== null && numberOf({ ...r, state: 'queued' }) === n && r.key !== doc.key;
      const replace = (rs: Row[]): ReplacedDoc[] =>
        rs.map((r) => {
          const was = { id: r.id, fileName: r.fileName, state: r.state };
          this.move(r, 'superseded', deskId, replacedByWords(doc.fileName, this.nextId));
          created.push(r.id);
          return was;
        });
      const old = replace(
        [...this.rows.values()].filter(
          (r) =>
            same(r) &&
            r.fileName === doc.fileName &&
            replaceableWhile(r.state, r.reachedMaybe === true),
        ),
      );
      const checked = guardNumber(doc, this.numberTaken(doc, real));
      if (checked.state === 'queued') {
        const failed = (r: Row) =>
          ['invalid', 'unreachable', 'rejected'].includes(r.state) ||
          (r.state === 'handled' && r.businessResponse === 'RE') ||
          (r.state === 'failed' && r.reachedMaybe !== true);
        old.push(...replace([...this.rows.values()].filter((r) => same(r) && failed(r))));
      }
      const d =
        old.length > 0 && !checked.problem && !checked.note
          ? { ...checked, note: replacesWordsOf(old) }
          : checked;
      const have = this.byKey.get(d.key);
      if (have !== undefined) {
        out.push({ key: d.key, id: have, created: false, state: this.rows.get(have)!.state });
        continue;
      }
      const id = this.nextId++;
      const { body, ...rest } = d;
      this.rows.set(id, {
        ...rest,
        body,
        id,
        size: body.byteLength,
        attempts: 0,
        transactionId: null,
        addedBy: deskId,
        sentBy: null,
        leaseOwner: null,
        leaseUntil: 0,
        fence: 0,
        createdAt: this.now(),
        updatedAt: this.now(),
        nextAttemptAt: null,
        sellerName: d.sellerName ?? null,
        sentVia: null,
        sentEnvironment: null,
      });
      this.byKey.set(d.key, id);
      this.events.set(id, [
        { at: this.now(), desk: deskId, fromState: null, toState: d.state, detail: null },
      ]);
      created.push(id);
      out.push({ key: d.key, id, created: true, state: d.state });
    }
    this.notify(created);
    return out;
  }

  /** The live document with `d`'s number, as the real stores' number guard reads it. */
  private numberTaken(d: NewTeamDocument, real: boolean): NumberTaken | null {
    const n = numberOf(d);
    if (n === null) return null;
    for (const r of [...this.rows.values()].sort((a, b) => a.id - b.id)) {
      if (numberOf({ ...r, state: 'queued' }) !== n) continue;
      const live =
        NUMBER_LIVE_STATES.includes(r.state) ||
        (r.state === 'failed' && r.reachedMaybe === true) ||
        (r.state === 'handled' && r.businessResponse !== 'RE');
      const practiceDone =
        r.sentEnvironment === 'sandbox' &&
        r.transactionId !== null &&
        (real || r.problem?.code === 'DELIVERY_UNCONFIRMED');
      if (live && !practiceDone) return { id: r.id, key: r.key, state: r.state };
    }
    return null;
  }

  async claim(
    deskId: string,
    limit: number,
    leaseMs: number,
    ap?: string,
    via?: SentVia,
  ): Promise<Claim[]> {
    this.gate();
    if (ap !== undefined && this.teamAp?.id !== ap) return [];
    const now = this.now();
    const out: Claim[] = [];
    for (const r of [...this.rows.values()].sort((a, b) => a.id - b.id)) {
      if (out.length >= limit) break;
      const due =
        r.state === 'queued' ||
        (r.state === 'retry_wait' && (r.nextAttemptAt ?? 0) <= now) ||
        (r.state === 'sending' && r.leaseUntil < now);
      if (!due) continue;
      const inDoubt = r.state === 'sending';
      if (!inDoubt) this.move(r, 'sending', deskId, 'claimed');
      else
        this.events.get(r.id)!.push({
          at: now,
          desk: deskId,
          fromState: 'sending',
          toState: 'sending',
          detail: 'claimed again (in doubt)',
        });
      r.leaseOwner = deskId;
      r.leaseUntil = now + leaseMs;
      r.fence++;
      r.attempts++;
      if (via) {
        r.sentVia = via.accessPoint;
        r.sentEnvironment = via.environment;
      }
      out.push({
        id: r.id,
        key: r.key,
        fence: r.fence,
        fileName: r.fileName,
        receiverId: r.receiverId,
        docType: r.docType,
        inDoubt,
        attempts: r.attempts,
      });
    }
    this.notify(out.map((c) => c.id));
    return out;
  }

  private held(deskId: string, c: ClaimRef): Row | null {
    const r = this.rows.get(c.id);
    return r && r.fence === c.fence && r.state === 'sending' && r.leaseOwner === deskId ? r : null;
  }

  async renew(deskId: string, claims: readonly ClaimRef[], leaseMs: number) {
    this.gate();
    const out = new Set<number>();
    for (const c of claims) {
      const r = this.held(deskId, c);
      if (!r) continue;
      r.leaseUntil = this.now() + leaseMs;
      out.add(r.id);
    }
    return out;
  }

  async finish(deskId: string, claim: ClaimRef, outcome: TeamOutcome): Promise<boolean> {
    this.gate();
    const r = this.held(deskId, claim);
    if (!r) return false;
    r.leaseOwner = null;
    if (outcome.kind === 'accepted') {
      r.transactionId = outcome.transactionId;
      r.sentBy = deskId;
      r.problem = null;
      this.move(r, 'accepted', deskId, 'accepted by the access point');
      const t = this.now();
      // Dated when the answer came, as the real stores do (answeredMsAgo before the write).
      r.acceptedAt = t - Math.max(0, outcome.answeredMsAgo ?? 0);
      r.poll = {
        next: t + (outcome.firstPollInMs ?? 0),
        owner: null,
        fence: 0,
        acceptedAt: r.acceptedAt,
        deliveredAt: null,
        response: null,
        responseAt: null,
      };
    } else if (outcome.kind === 'released') {
      this.move(r, 'queued', deskId, 'released');
    } else if (outcome.kind === 'retry') {
      r.nextAttemptAt = this.now() + outcome.delayMs;
      r.problem = outcome.problem;
      this.move(r, 'retry_wait', deskId, outcome.problem.message);
    } else {
      r.problem = outcome.problem;
      this.move(r, outcome.to ?? 'failed', deskId, outcome.problem.message);
    }
    this.notify([r.id]);
    return true;
  }

  async claimPolls(deskId: string, limit: number, leaseMs: number, ap?: string, kind?: PollKind) {
    this.gate();
    if (ap !== undefined && this.teamAp?.id !== ap) return [] as PollClaim[];
    const t = this.now();
    const due = [...this.rows.values()]
      .filter((r) => r.poll && r.poll.next !== null && r.poll.next <= t)
      .filter((r) => kind === undefined || (r.state === 'accepted') === (kind === 'delivery'))
      .sort((a, b) => a.poll!.next! - b.poll!.next! || a.id - b.id)
      .slice(0, limit);
    return due.map((r) => {
      const p = r.poll!;
      p.owner = deskId;
      p.fence++;
      p.next = t + leaseMs;
      return {
        id: r.id,
        pollFence: p.fence,
        state: r.state,
        transactionId: r.transactionId,
        acceptedAt: p.acceptedAt,
        deliveredAt: p.deliveredAt,
        businessResponse: p.response,
        businessResponseAt: p.responseAt,
        leaseUntil: p.next,
        docType: r.docType,
      };
    });
  }

  async finishPoll(deskId: string, claim: PollRef, result: PollResult): Promise<boolean> {
    this.gate();
    const r = this.rows.get(claim.id);
    const p = r?.poll;
    if (!r || !p || p.owner !== deskId || p.fence !== claim.pollFence) return false;
    const { events } = pollEvents(r.state, result);
    for (const e of events) {
      if (e.from === e.to) {
        this.events.get(r.id)!.push({
          at: this.now(),
          desk: deskId,
          fromState: e.from,
          toState: e.to,
          detail: e.detail,
        });
      } else this.move(r, e.to, deskId, e.detail);
    }
    p.owner = null;
    p.next = result.nextPollInMs === null ? null : this.now() + result.nextPollInMs;
    if (result.deliveredAt !== undefined) p.deliveredAt = result.deliveredAt;
    if (result.response) {
      p.response = result.response.code;
      p.responseAt = result.response.at;
    }
    if (result.problem !== undefined) r.problem = result.problem;
    if (events.length > 0) this.notify([r.id]);
    return true;
  }

  async releasePolls(deskId: string, claims: readonly PollRef[]): Promise<number> {
    this.gate();
    let n = 0;
    for (const c of claims) {
      const p = this.rows.get(c.id)?.poll;
      if (!p || p.owner !== deskId || p.fence !== c.pollFence || p.next === null) continue;
      p.owner = null;
      p.next = this.now();
      n++;
    }
    return n;
  }

  async finishMany(deskId: string, items: readonly FinishItem[]): Promise<Set<number>> {
    this.gate();
    const written = new Set<number>();
    for (const { claim, outcome } of items) {
      if (await this.finish(deskId, claim, outcome)) written.add(claim.id);
    }
    return written;
  }

  async body(id: number): Promise<Uint8Array> {
    this.gate();
    return this.rows.get(id)!.body;
  }

  private doc(r: Row): TeamDocument {
    const { body: _body, leaseUntil: _lease, ...doc } = r;
    return { ...doc };
  }

  async get(id: number) {
    this.gate();
    const r = this.rows.get(id);
    return r ? this.doc(r) : null;
  }

  async getMany(ids: readonly number[]) {
    this.gate();
    return [...new Set(ids)].flatMap((id) => {
      const r = this.rows.get(id);
      return r ? [this.doc(r)] : [];
    });
  }

  async list(q: TeamListQuery) {
    this.gate();
    let rows = [...this.rows.values()].filter((r) => !q.states || q.states.includes(r.state));
    if (q.search) rows = rows.filter((r) => r.fileName.includes(q.search!));
    rows.sort(memoryOrder(q.sort));
    const offset = q.offset ?? 0;
    return {
      rows: rows.slice(offset, offset + (q.limit ?? 100)).map((r) => this.doc(r)),
      total: rows.length,
    };
  }

  async counts() {
    this.gate();
    const out: Partial<Record<DocumentState, number>> = {};
    for (const r of this.rows.values()) out[r.state] = (out[r.state] ?? 0) + 1;
    return out;
  }

  async failedToFix() {
    this.gate();
    let n = 0;
    for (const r of this.rows.values())
      if (r.state === 'failed' && NOT_RETRIED_ACTIONS.has(r.problem?.action ?? null)) n++;
    return n;
  }

  /** A scan of every event: fine for tests, which the real stores answer from an index. */
  async acceptedPerSecond(withinMs: number): Promise<TeamAcceptedSeries> {
    this.gate();
    const now = this.now();
    const counts = new Map<string, { desk: string; t: number; accepted: number }>();
    for (const list of this.events.values()) {
      for (const e of list) {
        if (e.toState !== 'accepted' || e.desk === null || e.at < now - withinMs) continue;
        const t = Math.floor(e.at / 1000) * 1000;
        const b = counts.get(`${e.desk} ${t}`) ?? { desk: e.desk, t, accepted: 0 };
        b.accepted++;
        counts.set(`${e.desk} ${t}`, b);
      }
    }
    const buckets = [...counts.values()]
      .sort((a, b) => a.t - b.t || a.desk.localeCompare(b.desk))
      .map((b) => ({ ...b, name: this.deskRows.get(b.desk)?.name ?? b.desk }));
    return { now, buckets };
  }

  async timeline(id: number) {
    this.gate();
    return [...(this.events.get(id) ?? [])];
  }

  async notFollowed(ids: readonly number[]) {
    this.gate();
    return new Set(
      ids.filter((id) => {
        const r = this.rows.get(id);
        return r?.state === 'accepted' && (!r.poll || r.poll.next === null);
      }),
    );
  }

  async states(ids: readonly number[]) {
    this.gate();
    const out = new Map<number, DocumentState>();
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r) out.set(id, r.state);
    }
    return out;
  }

  private teamAp: TeamAccessPoint | null = null;

  async accessPoint(): Promise<TeamAccessPoint | null> {
    this.gate();
    return this.teamAp;
  }

  async adoptAccessPoint(
    deskId: string,
    ap: AccessPointRef,
    replace: boolean,
  ): Promise<AdoptAccessPointResult> {
    this.gate();
    const current = this.teamAp;
    if (current && current.id === ap.id) return { ok: true, accessPoint: current };
    if (current && !replace) return { ok: false, accessPoint: current, unfinished: 0 };
    const unfinished = [...this.rows.values()].filter(
      (r) =>
        r.state === 'sending' ||
        ((r.state === 'retry_wait' || r.state === 'queued') && r.reachedMaybe),
    ).length;
    if (current && unfinished > 0) return { ok: false, accessPoint: current, unfinished };
    // Accepted at the old one: not asked about any more.
    for (const r of this.rows.values()) if (current && r.poll) r.poll.next = null;
    this.teamAp = { ...ap, setBy: deskId, setAt: this.now() };
    return { ok: true, accessPoint: this.teamAp };
  }

  private readonly teamSettings = new Map<string, TeamSettingRow>();

  async settings(keys: readonly string[]): Promise<TeamSettingRow[]> {
    this.gate();
    return keys.flatMap((k) => {
      const row = this.teamSettings.get(k);
      return row ? [{ ...row }] : [];
    });
  }

  async putSettings(
    deskId: string,
    values: readonly { key: string; value: string }[],
    onlyMissing: boolean,
  ): Promise<void> {
    this.gate();
    for (const { key, value } of values) {
      if (onlyMissing && this.teamSettings.has(key)) continue;
      this.teamSettings.set(key, { key, value, updatedBy: deskId, updatedAt: this.now() });
    }
  }

  async retry(deskId: string, ids: readonly number[]) {
    this.gate();
    let n = 0;
    const held: { id: number; message: string }[] = [];
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r?.state !== 'failed') continue;
      r.attempts = 0;
      // As the real stores (retryHoldOf), without naming the earlier access point.
      const ap = this.teamAp;
      const hold =
        ap !== null &&
        r.reachedMaybe &&
        r.problem?.code !== 'DELIVERY_FAILED' &&
        r.updatedAt <= ap.setAt;
      this.move(r, 'queued', deskId, 'retried');
      if (hold) {
        r.problem = sentBeforeTeamMoved(null, ap.label);
        r.reachedMaybe = false;
        this.move(r, 'held', deskId, r.problem.message);
        held.push({ id, message: r.problem.message });
      } else n++;
    }
    this.notify([...ids]);
    return { queued: n, held };
  }

  async cancel(deskId: string, ids: readonly number[]): Promise<CancelledTeamDoc[]> {
    this.gate();
    const done: CancelledTeamDoc[] = [];
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      if (!r || !CLERK_CANCEL_FROM.includes(r.state)) continue;
      done.push({ id, from: r.state });
      this.move(r, 'cancelled', deskId, 'cancelled');
    }
    this.notify([...ids]);
    return done;
  }

  async uncancel(deskId: string, docs: readonly CancelledTeamDoc[], detail: string) {
    this.gate();
    let n = 0;
    for (const d of docs) {
      const r = this.rows.get(d.id);
      if (r?.state !== 'cancelled' || !CLERK_CANCEL_FROM.includes(d.from)) continue;
      this.move(r, d.from, deskId, detail);
      n++;
    }
    this.notify(docs.map((d) => d.id));
    return n;
  }

  async sendAnyway(deskId: string, ids: readonly number[], detail: string) {
    this.gate();
    let n = 0;
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      if (r?.state !== 'held') continue;
      r.problem = null;
      this.move(r, 'queued', deskId, detail);
      n++;
    }
    this.notify([...ids]);
    return n;
  }

  async markHandled(deskId: string, ids: readonly number[], on: boolean, detail: string) {
    this.gate();
    let n = 0;
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      if (!r || !handledFrom(on).includes(r.state)) continue;
      const to = handledTo(on, r.poll?.response ?? null);
      if (r.problem) r.problem = { ...r.problem, action: to.action };
      this.move(r, to.state, deskId, detail);
      n++;
    }
    this.notify([...ids]);
    return n;
  }

  async requeueUnreachable(deskId: string, receiver: string, ids: readonly number[], w: string) {
    this.gate();
    const moved: number[] = [];
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      if (r?.state !== 'unreachable' || r.receiverId !== receiver) continue;
      // The team's lookup was made again: unreachable → (ready → resolving →) queued at once.
      this.events.get(r.id)!.push({
        at: this.now(),
        desk: deskId,
        fromState: 'unreachable',
        toState: 'queued',
        detail: w,
      });
      r.state = 'queued';
      r.problem = null;
      r.updatedAt = this.now();
      moved.push(id);
    }
    this.notify(moved);
    return moved;
  }

  async noteUnreachable(deskId: string, receiver: string, ids: readonly number[], w: string) {
    this.gate();
    const noted: number[] = [];
    for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
      const r = this.rows.get(id);
      if (r?.state !== 'unreachable' || r.receiverId !== receiver) continue;
      const event = { at: this.now(), desk: deskId, fromState: 'unreachable', detail: w } as const;
      this.events.get(r.id)!.push({ ...event, toState: 'unreachable' });
      noted.push(id);
    }
    this.notify(noted);
    return noted;
  }

  async retryNotOnPeppol(
    deskId: string,
    receiver: string,
    ids: readonly number[],
    problem: TeamProblem,
    detail: string,
  ) {
    this.gate();
    const moved: number[] = [];
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      if (r?.state !== 'failed' || r.problem?.code !== 'DELIVERY_FAILED') continue;
      if (r.receiverId !== receiver) continue;
      const tx = r.transactionId ?? '?';
      Object.assign(r, { transactionId: null, attempts: 0, reachedMaybe: false });
      this.move(
        r,
        'unreachable',
        deskId,
        `Retry requested after the delivery failed (transaction ${tx}): ${detail}`,
      );
      r.problem = problem;
      moved.push(id);
    }
    this.notify(moved);
    return moved;
  }

  async sendPracticeForReal(deskId: string, ids: readonly number[], detail: string) {
    this.gate();
    const moved: number[] = [];
    for (const id of new Set(ids)) {
      const r = this.rows.get(id);
      // PRACTICE_SENT_SQL and PRACTICE_SENT_FROM (app/team/store-rows.ts).
      if (!r || r.sentEnvironment !== 'sandbox' || r.transactionId === null) continue;
      if (!PRACTICE_SENT_FROM.includes(r.state)) continue;
      Object.assign(r, { transactionId: null, sentBy: null, sentVia: null, attempts: 0 });
      Object.assign(r, { sentEnvironment: null, problem: null, poll: undefined });
      // Not a transition of the single desk's (accepted → queued): a new submission.
      const at = this.now();
      this.events
        .get(id)!
        .push({ at, desk: deskId, fromState: r.state, toState: 'queued', detail });
      Object.assign(r, { state: 'queued', updatedAt: at });
      moved.push(id);
    }
    this.notify(moved);
    return moved;
  }

  async exportRows(q: TeamListQuery, onPage: (rows: TeamDocument[]) => void, pageSize = 1000) {
    const { rows } = await this.list({ ...q, offset: 0, limit: Number.MAX_SAFE_INTEGER });
    for (let i = 0; i < rows.length; i += pageSize) onPage(rows.slice(i, i + pageSize));
    return rows.length;
  }

  async listen(onChange: (ids: readonly number[], notice?: ChangeNotice) => void) {
    this.gate();
    this.listeners.add(onChange);
    return async () => {
      this.listeners.delete(onChange);
    };
  }
}

/** The team list's order (app/team/list-order.ts) on rows held in memory (also the tests' oracle). */
export function memoryOrder(
  sort: DocumentSort | undefined,
): (a: TeamDocument, b: TeamDocument) => number {
  const s = teamSort(sort);
  if (!s) return (a, b) => b.id - a.id;
  const nocase = (t: string | null) =>
    t === null ? null : t.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const amount = (t: string | null) => {
    if (t === null) return null;
    const m = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(t);
    return m ? Number(m[0]) : 0;
  };
  const value = (d: TeamDocument): string | number | null => {
    switch (s.key) {
      case 'state':
        return d.state;
      case 'fileName':
        return nocase(d.fileName);
      case 'invoiceNumber':
        return nocase(d.invoiceNumber);
      case 'buyerName':
        return nocase(d.buyerName);
      case 'amount':
        return amount(d.amount);
      case 'issueDate':
        return d.issueDate;
      case 'updatedAt':
        return d.updatedAt;
      case 'id':
        return d.id;
    }
  };
  const sign = s.dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    // A missing value first in ascending order, as on SQLite.
    const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : x > y ? 1 : 0;
    return sign * (c !== 0 ? c : a.id - b.id);
  };
}
