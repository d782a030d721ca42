import type { XNode } from './xml-tree';

/**
 * Small XPath-like helpers over `XNode`. Paths are canonical qualified names ("cbc:ID"),
 * resolved child by child, so a rule reads close to its Schematron original.
 */

const NONE: XNode[] = [];

/** Elements with at least this many children get an index of them by name (built once). */
const INDEX_FROM = 32;
const CHILD_INDEX = new WeakMap<XNode, Map<string, XNode[]>>();

/**
 * The children of `n` named `q`, in document order, for reading only (a shared array), or
 * undefined when there are none. Lookups on an element with many children (a file of 300,000
 * stray notes under the root) use an index instead of scanning them all each time.
 */
export function childrenNamed(n: XNode, q: string): readonly XNode[] | undefined {
  const cs = n.children;
  if (cs.length < INDEX_FROM) {
    let out: XNode[] | undefined;
    for (let i = 0; i < cs.length; i++) if (cs[i]!.q === q) (out ??= []).push(cs[i]!);
    return out;
  }
  let index = CHILD_INDEX.get(n);
  if (index === undefined) {
    index = new Map();
    for (const c of cs) {
      const list = index.get(c.q);
      if (list === undefined) index.set(c.q, [c]);
      else list.push(c);
    }
    CHILD_INDEX.set(n, index);
  }
  return index.get(q);
}

/** First child named `q`, or undefined. */
export function child(n: XNode | null | undefined, q: string): XNode | undefined {
  if (n == null) return undefined;
  const cs = n.children;
  if (cs.length >= INDEX_FROM) return childrenNamed(n, q)?.[0];
  for (let i = 0; i < cs.length; i++) if (cs[i]!.q === q) return cs[i];
  return undefined;
}

/** All children named `q`. */
export function children(n: XNode | null | undefined, q: string): XNode[] {
  if (n == null) return NONE;
  const found = childrenNamed(n, q);
  // A copy of an indexed list: callers may keep or change what they get.
  return found === undefined
    ? NONE
    : n.children.length >= INDEX_FROM
      ? found.slice()
      : (found as XNode[]);
}

/** First node reached by following `path` (child names), taking the first match at each step. */
export function first(n: XNode | null | undefined, ...path: string[]): XNode | undefined {
  return n == null ? undefined : firstFrom(n, path, 0);
}

/** `first` from step `i` of `path`, without building lists of the steps in between. */
function firstFrom(n: XNode, path: readonly string[], i: number): XNode | undefined {
  let cur = n;
  for (; i < path.length; i++) {
    const q = path[i]!;
    if (i === path.length - 1) return child(cur, q);
    const cs = cur.children;
    if (cs.length >= INDEX_FROM) {
      const found = childrenNamed(cur, q);
      if (found === undefined) return undefined;
      if (found.length === 1) {
        cur = found[0]!;
        continue;
      }
      // XPath semantics: a/b/c matches c under any b; descend through all b's.
      for (const m of found) {
        const r = firstFrom(m, path, i + 1);
        if (r !== undefined) return r;
      }
      return undefined;
    }
    let only: XNode | undefined;
    let several = false;
    for (let k = 0; k < cs.length; k++) {
      if (cs[k]!.q !== q) continue;
      if (only === undefined) only = cs[k];
      else {
        several = true;
        break;
      }
    }
    if (only === undefined) return undefined;
    if (!several) {
      cur = only;
      continue;
    }
    for (let k = 0; k < cs.length; k++) {
      if (cs[k]!.q !== q) continue;
      const r = firstFrom(cs[k]!, path, i + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  return cur;
}

/** Every node reached by following `path` (XPath node-set semantics, document order). */
export function all(n: XNode | null | undefined, ...path: string[]): XNode[] {
  if (n == null) return NONE;
  if (path.length === 0) return [n];
  let cur: XNode[] = children(n, path[0]!);
  for (let i = 1; i < path.length; i++) {
    if (cur.length === 0) return NONE;
    const q = path[i]!;
    if (cur.length === 1) {
      cur = children(cur[0], q);
    } else {
      const next: XNode[] = [];
      for (const c of cur) for (const x of c.children) if (x.q === q) next.push(x);
      cur = next;
    }
  }
  return cur.length === 0 ? NONE : cur;
}

/**
 * True when `f` holds for a node reached by `path` under `n`, tried in document order (the order
 * of `all`) without building the list.
 */
export function some(
  n: XNode | null | undefined,
  path: readonly string[],
  f: (x: XNode) => boolean,
): boolean {
  if (n == null) return false;
  if (path.length === 0) return f(n);
  return someFrom(n, path, 0, f);
}

function someFrom(n: XNode, path: readonly string[], i: number, f: (x: XNode) => boolean): boolean {
  const q = path[i]!;
  const last = i === path.length - 1;
  const cs = n.children;
  if (cs.length >= INDEX_FROM) {
    const found = childrenNamed(n, q);
    if (found === undefined) return false;
    for (const x of found) if (last ? f(x) : someFrom(x, path, i + 1, f)) return true;
    return false;
  }
  for (let k = 0; k < cs.length; k++) {
    const x = cs[k]!;
    if (x.q === q && (last ? f(x) : someFrom(x, path, i + 1, f))) return true;
  }
  return false;
}

/** How many nodes `all(n, ...path)` would return, without building the list. */
export function count(n: XNode | null | undefined, ...path: string[]): number {
  if (n == null) return 0;
  if (path.length === 0) return 1;
  return countFrom(n, path, 0);
}

function countFrom(n: XNode, path: readonly string[], i: number): number {
  const q = path[i]!;
  const last = i === path.length - 1;
  const cs = n.children;
  let total = 0;
  if (cs.length >= INDEX_FROM) {
    const found = childrenNamed(n, q);
    if (found === undefined) return 0;
    if (last) return found.length;
    for (const x of found) total += countFrom(x, path, i + 1);
    return total;
  }
  for (let k = 0; k < cs.length; k++) {
    const x = cs[k]!;
    if (x.q === q) total += last ? 1 : countFrom(x, path, i + 1);
  }
  return total;
}

/** True when at least one node matches the path. */
export function has(n: XNode | null | undefined, ...path: string[]): boolean {
  return first(n, ...path) !== undefined;
}

/** XPath string value: the text of the node and all its descendants. */
export function str(n: XNode | null | undefined): string {
  if (n == null) return '';
  if (n.children.length === 0) return n.text;
  let s = n.text;
  for (const c of n.children) s += str(c);
  return s;
}

const WS = /[ \t\r\n]+/g;

/**
 * XPath normalize-space() of a string: collapses and strips XML whitespace only (space, tab, CR,
 * LF). String.trim() would also strip e.g. a no-break space and turn a filled value into an empty one.
 */
export function nspace(s: string): string {
  const c = s.replace(WS, ' ');
  const from = c.charCodeAt(0) === 32 ? 1 : 0;
  const to = c.length > from && c.charCodeAt(c.length - 1) === 32 ? c.length - 1 : c.length;
  return c.slice(from, to);
}

/** XPath normalize-space() of the node's string value. */
export function norm(n: XNode | null | undefined): string {
  if (n == null) return '';
  const s = n.children.length === 0 ? n.text : str(n);
  // Fast path: most values carry no stray whitespace.
  if (s.length === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(s.length - 1);
  if (
    a > 32 &&
    b > 32 &&
    s.indexOf('  ') < 0 &&
    s.indexOf('\n') < 0 &&
    s.indexOf('\t') < 0 &&
    s.indexOf('\r') < 0
  )
    return s;
  return nspace(s);
}

/** normalize-space of the first node at `path` under `n`. */
export function val(n: XNode | null | undefined, ...path: string[]): string {
  return norm(path.length === 0 ? n : first(n, ...path));
}

/** Attribute value or undefined. */
export function attr(n: XNode | null | undefined, name: string): string | undefined {
  return n?.attrs?.[name];
}

/** Ancestor-or-self distance check: n's parent named q (one step). */
export function parentIs(n: XNode, q: string): boolean {
  return n.parent !== null && n.parent.q === q;
}

/** XPath-like location of a node, e.g. `/Invoice/cac:InvoiceLine[2]/cbc:ID`. */
export function locationOf(n: XNode): string {
  const parts: string[] = [];
  let cur: XNode | null = n;
  while (cur !== null) {
    const p: XNode | null = cur.parent;
    let name = cur.q.startsWith('ubl:') ? cur.local : cur.q;
    if (p !== null) {
      // Position among same-named siblings; [n] only when there is more than one.
      const same = childrenNamed(p, cur.q) ?? NONE;
      if (same.length > 1) name += `[${same.indexOf(cur) + 1}]`;
    }
    parts.push(name);
    cur = p;
  }
  return '/' + parts.reverse().join('/');
}

/** normalize-space of the node's own text (XPath `normalize-space(x/text())`). */
export function ntext(n: XNode | null | undefined): string {
  if (n == null) return '';
  return nspace(n.text);
}
