/** How long idempotency keys are remembered: 24 hours, as the contract states. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry<T> {
  storedAt: number;
  bodyHash: string;
  value: T;
}

/** Result of looking a key up. */
export type KeyLookup<T> = { kind: 'new' } | { kind: 'replay'; value: T } | { kind: 'conflict' };

/**
 * Idempotency keys scoped per API key, each remembering the sha256 of the body it came with and
 * the stored answer. Entries expire after {@link IDEMPOTENCY_TTL_MS}; since a Map iterates in
 * insertion order, expiry only ever looks at the oldest entries (amortised O(1), no timers).
 */
export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs: number = IDEMPOTENCY_TTL_MS,
  ) {}

  /** Number of live keys. */
  get size(): number {
    return this.entries.size;
  }

  /** What a key with this body means: new, replay of the stored answer, or conflict. */
  lookup(apiKey: string, key: string, bodyHash: string): KeyLookup<T> {
    this.expire();
    const entry = this.entries.get(scoped(apiKey, key));
    if (!entry) return { kind: 'new' };
    return entry.bodyHash === bodyHash
      ? { kind: 'replay', value: entry.value }
      : { kind: 'conflict' };
  }

  /** Remember the answer given for a key and body. */
  store(apiKey: string, key: string, bodyHash: string, value: T): void {
    this.entries.set(scoped(apiKey, key), { storedAt: this.now(), bodyHash, value });
  }

  /** Forget every key. */
  clear(): void {
    this.entries.clear();
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      this.entries.delete(k);
    }
  }
}

function scoped(apiKey: string, key: string): string {
  // NUL cannot occur in an HTTP header value, so it cannot blur the two parts.
  return `${apiKey}\u0000${key}`;
}
