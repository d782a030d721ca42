import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The shape of the code as a graph of imports, type-only imports included (eslint's
// import-x/no-cycle sees value imports only). A cycle or an import against the layers fails here
// with the files named, before anyone has to untangle it.

const root = resolve(__dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files = ['app', 'main', 'renderer/src'].flatMap((d) => sources(join(root, d)));
/** file (relative to the root) → the project files it imports (relative). */
const graph = new Map<string, string[]>(
  files.map((file) => [
    relative(root, file),
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((i) => resolveImport(file, i.fileName))
      .filter((p): p is string => p !== null && /\.tsx?$/.test(p))
      .map((p) => relative(root, p)),
  ]),
);

/** Strongly connected components of more than one file (Tarjan). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Every import from a file matching `from` to a file matching `to`, as "a → b". */
function edges(from: RegExp, to: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, imports] of graph) {
    if (!from.test(file)) continue;
    for (const target of imports) if (to(target)) out.push(`${file} → ${target}`);
  }
  return out;
}

describe('the import graph', () => {
  it('reads the sources it checks (not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('app/engine/index.ts')?.length ?? 0).toBeGreaterThan(5);
  });

  it('has no import cycles, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    graph.set('app/__a.ts', ['app/__b.ts']);
    graph.set('app/__b.ts', ['app/__a.ts']);
    try {
      expect(cycles()).toContainEqual(['app/__a.ts', 'app/__b.ts']);
    } finally {
      graph.delete('app/__a.ts');
      graph.delete('app/__b.ts');
    }
  });

  it('keeps the engine free of the hosts: app/ imports nothing from main/ or renderer/', () => {
    expect(edges(/^app\//, (t) => /^(main|renderer)\//.test(t))).toEqual([]);
  });

  it('keeps the domain pure: app/domain imports only the contract and itself', () => {
    expect(edges(/^app\/domain\//, (t) => !/^app\/(contract\.ts|domain\/)/.test(t))).toEqual([]);
  });

  it('keeps the store below the stages: app/store imports only the contract, the domain and errors', () => {
    expect(
      edges(/^app\/store\//, (t) => !/^app\/(contract\.ts|errors\.ts|domain\/|store\/)/.test(t)),
    ).toEqual([]);
  });

  it('keeps the engine internals (repo, db) for tests: no host imports app/engine/internals.ts', () => {
    expect(graph.has('app/engine/internals.ts')).toBe(true);
    expect(
      edges(
        /^(app\/cli\/|app\/cli-entry\.ts|app\/host\/|main\/|renderer\/)/,
        (t) => t === 'app/engine/internals.ts',
      ),
    ).toEqual([]);
  });

  it('keeps the sender on the wire: app/sender imports nothing from the queue or the store', () => {
    expect(graph.has('app/sender/rate-gate.ts')).toBe(true);
    expect(edges(/^app\/sender\//, (t) => /^app\/(queue|store)\//.test(t))).toEqual([]);
  });

  it('lets the renderer reach the engine only through the contract, the domain and the wire', () => {
    expect(
      edges(
        /^renderer\//,
        (t) => t.startsWith('app/') && !/^app\/(contract\.ts|domain\/|host\/wire\.ts)/.test(t),
      ),
    ).toEqual([]);
  });
});
