/** Types of test/team/team-db.mjs: the harness's read-only look at the team queue. */
export declare const NOT_FINAL_STATES: readonly string[];
export interface TeamDb {
  heldBy(deskId: string): Promise<number | null>;
  heldIds(deskId: string): Promise<number[] | null>;
  counts(): Promise<Record<string, number> | null>;
  inDoubtClaims(): Promise<number | null>;
  inDoubtIds(): Promise<Set<number> | null>;
  notFinal(): Promise<number | null>;
  close(): Promise<void>;
}
export declare function openTeamDb(url: string): Promise<TeamDb>;
