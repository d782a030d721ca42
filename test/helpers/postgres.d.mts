/** Types of test/helpers/postgres.mjs (plain JS so the crash harness and bench run it unbuilt). */
export interface PostgresCluster {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  url: string;
  /** The Unix socket folder. */
  host: string;
  port: number;
  /** The temp folder holding data, socket and log (removed by stop()). */
  dir: string;
  /** The cluster's own pg_ctl binary. */
  pgCtl: string;
  /** Stop ('fast': connections cut, clean; 'immediate': a crash) and start after `downMs`. */
  restart(options?: { downMs?: number; mode?: 'fast' | 'immediate' }): Promise<void>;
  /** Stop and remove the folder; a second call does nothing. */
  stop(): Promise<void>;
}

export declare function postgresBinDir(): string | null;
export declare function hasPostgres(): boolean;
export declare const MISSING_POSTGRES: string;
export declare function startPostgres(options?: {
  port?: number;
  /** Server settings, each as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
}): Promise<PostgresCluster>;
