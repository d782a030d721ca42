/** Types of test/helpers/fuzz-mutations.mjs (plain JS so the benchmark can run it unbuilt). */
export declare function prng(seed: number): () => number;
export declare const KINDS: readonly string[];
export declare function mutants(
  base: string | Uint8Array,
  n: number,
  seed?: number,
  sizeFactor?: number,
): Generator<{ name: string; kind: string; bytes: Uint8Array }>;
