import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Documents are checked in the validation workers. Loading the rule set on the engine's thread
// as well cost every `peppol-desk` command (and the app) about 0.1 s of start-up before anything
// else could run. The rules are reached only through app/validation/check.ts (and the folder's
// index, which re-exports it): no file the engine's thread loads at start may import them.

const root = resolve(__dirname, '..', '..');

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The project files `file` imports for their values when it loads (no types, no `import()`). */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const node of source.statements) {
    let spec: string | null = null;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) spec = (node.moduleSpecifier as ts.StringLiteral).text;
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      spec = (node.moduleSpecifier as ts.StringLiteral).text;
    }
    const resolved = spec === null ? null : resolveImport(file, spec);
    if (resolved !== null) out.push(resolved);
  }
  return out;
}

/** Every project file loaded with `entry` (its static imports, transitively). */
function loadedWith(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(root, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...staticImports(file));
  }
  return new Set([...seen].map((f) => relative(root, f)));
}

describe('the engine thread', () => {
  it.each(['app/cli/index.ts', 'app/engine/index.ts'])(
    'does not load the validation rules with %s',
    (entry) => {
      const loaded = loadedWith(entry);
      // The walk itself works: the pool that runs the workers is loaded.
      expect(loaded.has('app/validation/pool.ts')).toBe(true);
      expect(loaded.has('app/validation/check.ts')).toBe(false);
      expect(loaded.has('app/validation/index.ts')).toBe(false);
    },
  );
});
