/**
 * The shared caches and desks' latency of MemoryTeamStore (the same promises as the real stores:
 * expiry on the store's clock, pruned latency rows), failing like the store while it is `down`.
 */
import {
  DESK_LATENCY_KEEP_MS,
  type DeskLatencyPut,
  type SharedLookupHit,
  type SharedLookupPut,
  type SharedVerdictPut,
  type TeamLatencySeries,
  type TeamShared,
} from '../../app/team/shared-store';

export class MemoryTeamShared implements TeamShared {
  private readonly lookupRows = new Map<string, { json: string; at: number; until: number }>();
  private readonly verdictRows = new Map<string, string>();
  private readonly latencyRows = new Map<
    string,
    TeamLatencySeries['rows'][number] & { updatedAt: number }
  >();
  /** Calls made, by method (what a test counts). */
  readonly calls = { lookups: 0, putLookups: 0, verdicts: 0, putVerdicts: 0, publishLatency: 0 };

  constructor(
    private readonly gate: () => void,
    private readonly now: () => number,
    private readonly deskName: (id: string) => string,
  ) {}

  async lookups(ap: string, ids: readonly string[]): Promise<Map<string, SharedLookupHit>> {
    this.gate();
    this.calls.lookups++;
    const now = this.now();
    const out = new Map<string, SharedLookupHit>();
    for (const id of ids) {
      const r = this.lookupRows.get(`${ap} ${id}`);
      if (r && r.until > now)
        out.set(id, { answerJson: r.json, remainingMs: r.until - now, ageMs: now - r.at });
    }
    return out;
  }

  async putLookups(ap: string, entries: readonly SharedLookupPut[]): Promise<void> {
    this.gate();
    this.calls.putLookups++;
    const now = this.now();
    for (const e of entries)
      this.lookupRows.set(`${ap} ${e.participantId}`, {
        json: e.answerJson,
        at: now,
        until: now + e.ttlMs,
      });
  }

  async verdicts(key: string, shas: readonly string[]): Promise<Map<string, string>> {
    this.gate();
    this.calls.verdicts++;
    const out = new Map<string, string>();
    for (const s of shas) {
      const j = this.verdictRows.get(`${key} ${s}`);
      if (j !== undefined) out.set(s, j);
    }
    return out;
  }

  async putVerdicts(key: string, entries: readonly SharedVerdictPut[]): Promise<void> {
    this.gate();
    this.calls.putVerdicts++;
    for (const e of entries) this.verdictRows.set(`${key} ${e.sha256}`, e.json);
  }

  async publishLatency(desk: string, rows: readonly DeskLatencyPut[]): Promise<void> {
    this.gate();
    this.calls.publishLatency++;
    const now = this.now();
    for (const r of rows) {
      this.latencyRows.set(`${desk} ${r.interval}`, {
        desk,
        name: this.deskName(desk),
        interval: r.interval,
        t: now - r.ageMs,
        count: r.count,
        p50: r.p50,
        p95: r.p95,
        p99: r.p99,
        updatedAt: now,
      });
    }
    for (const [k, r] of this.latencyRows)
      if (r.updatedAt < now - DESK_LATENCY_KEEP_MS) this.latencyRows.delete(k);
  }

  async latency(withinMs: number): Promise<TeamLatencySeries> {
    this.gate();
    const now = this.now();
    const rows = [...this.latencyRows.values()]
      .filter((r) => r.updatedAt >= now - withinMs)
      .map(({ updatedAt: _u, ...r }) => ({ ...r, name: this.deskName(r.desk) }))
      .sort((a, b) => a.t - b.t);
    return { now, rows };
  }
}
