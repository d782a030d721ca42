/** Types of test/helpers/tcp-proxy.mjs (plain JS so the team harness can run it unbuilt). */
export interface TcpProxyStats {
  accepted: number;
  refused: number;
  /** Connections accepted and held unanswered while blocked in 'hold' mode. */
  holds: number;
  cuts: number;
  cutConnections: number;
  open: number;
  /** Held now. */
  held: number;
}

export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  readonly openConnections: number;
  readonly stats: TcpProxyStats;
  /** Reset every open connection now (both sides); returns how many were cut. */
  cut(): number;
  /** 'refuse' (default) resets new connections at once; 'hold' accepts and answers nothing. */
  block(mode?: 'refuse' | 'hold'): void;
  unblock(): void;
  close(): Promise<void>;
}

export declare function startTcpProxy(options: {
  targetHost?: string;
  targetPort: number;
}): Promise<TcpProxy>;
